package urlpattern

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file writes a parsed regular expression for Go's regexp (RE2) or
// for regexp2, and maps the standard's groups to the output's; see
// regexp.go for why there are two engines.

// engineKind selects the output syntax.
type engineKind uint8

const (
	engineRE2 engineKind = iota
	engineBacktrack
)

// reWriter writes a tree in one engine's syntax.
type reWriter struct {
	b      strings.Builder
	engine engineKind
	// keepNamed keeps the custom groups' named captures as (unnamed)
	// capturing groups; needed only when a backreference counts them.
	keepNamed bool
	// groupOf maps the tree's capture numbers to the output's.
	groupOf []int
}

// emptyCheck records an optional ("?") group whose body can match the
// empty string. ECMAScript rejects an iteration of a quantifier with
// minimum 0 that matches empty (RepeatMatcher), so such a body's captures
// come out undefined; RE2 and regexp2 accept the empty iteration and
// report "". The translation wraps the body in an extra capture group, and
// a match whose body span is empty marks the captures inside as not
// matched. Only "?" needs it: the standard's generated "*" and "+" groups
// capture outside the repetition.
type emptyCheck struct {
	group int   // the extra group around the body
	inner []int // indexes into the pattern groups of those inside the body
}

// translated is a pattern regexp rewritten for one engine.
type translated struct {
	src    string
	engine engineKind
	groups []int // output group number of each pattern group (unnamed captures), in order
	checks []emptyCheck
}

// translate parses src (a generated pattern regexp) and returns it in the
// syntax of the engine it needs, or of regexp2 when forceBacktrack is set
// (tests compare the engines).
func translate(src string, forceBacktrack bool) (translated, error) {
	tree, p, err := parseRegexp(src)
	if err != nil {
		return translated{}, err
	}
	var t translated
	w := &reWriter{}
	if p.needsBT || forceBacktrack {
		w.engine = engineBacktrack
	}
	w.keepNamed = len(p.backrefs) > 0 || len(p.namedRef) > 0
	w.groupOf = make([]int, p.nGroups+1)
	n := 0
	var number func(nd *reNode, active []int)
	number = func(nd *reNode, active []int) {
		if nd.op == reRepeat && nd.min == 0 && nd.max == 1 && hasCapture(nd.subs[0]) {
			n++
			nd.check = n
			t.checks = append(t.checks, emptyCheck{group: n})
			active = append(active[:len(active):len(active)], len(t.checks)-1)
		}
		if nd.op == reGroup && nd.capture > 0 && (!nd.named || w.keepNamed) {
			n++
			w.groupOf[nd.capture] = n
			if !nd.named {
				for _, a := range active {
					t.checks[a].inner = append(t.checks[a].inner, len(t.groups))
				}
				t.groups = append(t.groups, n)
			}
		}
		for _, s := range nd.subs {
			number(s, active)
		}
	}
	number(tree, nil)
	w.write(tree)
	t.src, t.engine = w.b.String(), w.engine
	return t, nil
}

func hasCapture(n *reNode) bool {
	if n.op == reGroup && n.capture > 0 {
		return true
	}
	for _, s := range n.subs {
		if hasCapture(s) {
			return true
		}
	}
	return false
}

func (w *reWriter) write(n *reNode) {
	b := &w.b
	switch n.op {
	case reEmpty:
	case reLiteral:
		if isSurrogate(n.r) {
			w.never()
			return
		}
		w.literal(n.r)
	case reClass:
		w.class(n.set, n.negated)
	case reConcat:
		for _, s := range n.subs {
			w.write(s)
		}
	case reAlt:
		b.WriteString("(?:")
		for i, s := range n.subs {
			if i > 0 {
				b.WriteByte('|')
			}
			w.write(s)
		}
		b.WriteByte(')')
	case reGroup:
		switch {
		case n.capture > 0 && w.groupOf[n.capture] > 0:
			b.WriteByte('(')
		case slices.Contains(n.flagsOn, 'i'):
			b.WriteString("(?i:")
		case slices.Contains(n.flagsOff, 'i'):
			b.WriteString("(?-i:")
		default:
			b.WriteString("(?:")
		}
		w.write(n.subs[0])
		b.WriteByte(')')
	case reRepeat:
		b.WriteString("(?:")
		if n.check > 0 {
			b.WriteByte('(')
		}
		w.write(n.subs[0])
		if n.check > 0 {
			b.WriteByte(')')
		}
		b.WriteByte(')')
		switch {
		case n.min == 0 && n.max == -1:
			b.WriteByte('*')
		case n.min == 1 && n.max == -1:
			b.WriteByte('+')
		case n.min == 0 && n.max == 1:
			b.WriteByte('?')
		case n.max == -1:
			fmt.Fprintf(b, "{%d,}", n.min)
		case n.min == n.max:
			fmt.Fprintf(b, "{%d}", n.min)
		default:
			fmt.Fprintf(b, "{%d,%d}", n.min, n.max)
		}
		if !n.greedy {
			b.WriteByte('?')
		}
	case reBegin:
		if n.multiline {
			b.WriteString("(?:^|(?<=[\\n\\r\u2028\u2029]))")
			return
		}
		if w.engine == engineRE2 {
			b.WriteString(`\A`)
		} else {
			b.WriteByte('^')
		}
	case reEnd:
		if n.multiline {
			b.WriteString("(?:\\z|(?=[\\n\\r\u2028\u2029]))")
			return
		}
		b.WriteString(`\z`)
	case reWordB, reNotWordB:
		if w.engine == engineRE2 {
			if n.op == reWordB {
				b.WriteString(`\b`)
			} else {
				b.WriteString(`\B`)
			}
			return
		}
		// regexp2's \b uses Unicode word characters; ECMAScript's are ASCII.
		const wc = `[0-9A-Za-z_]`
		if n.op == reWordB {
			b.WriteString(`(?:(?<=` + wc + `)(?!` + wc + `)|(?<!` + wc + `)(?=` + wc + `))`)
		} else {
			b.WriteString(`(?:(?<=` + wc + `)(?=` + wc + `)|(?<!` + wc + `)(?!` + wc + `))`)
		}
	case reLook:
		switch {
		case n.behind && n.negated:
			b.WriteString("(?<!")
		case n.behind:
			b.WriteString("(?<=")
		case n.negated:
			b.WriteString("(?!")
		default:
			b.WriteString("(?=")
		}
		w.write(n.subs[0])
		b.WriteByte(')')
	case reBackref:
		// ECMAScript: a reference to a group that has not matched matches
		// the empty string; in regexp2 it fails, hence the conditional.
		g := w.groupOf[n.capture]
		fmt.Fprintf(b, `(?(%d)\%d|)`, g, g)
	}
}

// never writes a class that matches nothing.
func (w *reWriter) never() {
	w.b.WriteString(`[^\x00-` + string(rune(maxRune)) + `]`)
}

func isSurrogate(r rune) bool { return 0xD800 <= r && r <= 0xDFFF }

// literal writes one code point, escaped where either engine would read it
// as syntax.
func (w *reWriter) literal(r rune) {
	b := &w.b
	switch {
	case r < 0x20 || r == 0x7F:
		fmt.Fprintf(b, `\x%02X`, r)
	case r < 0x80 && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == ' ' || r == '_'):
		// Punctuation, escaped: both engines read "\" before it as the
		// character itself (regexp2 rejects "\_", so "_" stays bare).
		b.WriteByte('\\')
		b.WriteRune(r)
	case r == ' ' || r < 0x80:
		b.WriteRune(r)
	default:
		if !utf8.ValidRune(r) {
			w.never()
			return
		}
		b.WriteRune(r)
	}
}

func (w *reWriter) class(set charSet, negated bool) {
	// Code points that are surrogates never occur in USVString input and
	// have no UTF-8 form: drop them.
	set = subtract(set, charSet{0xD800, 0xDFFF})
	if len(set) == 0 {
		if negated {
			w.b.WriteString(`[\x00-` + string(rune(maxRune)) + `]`)
		} else {
			w.never()
		}
		return
	}
	if !negated && len(set) == 2 && set[0] == set[1] {
		w.literal(set[0])
		return
	}
	w.b.WriteByte('[')
	if negated {
		w.b.WriteByte('^')
	}
	for i := 0; i < len(set); i += 2 {
		w.literal(set[i])
		if set[i+1] != set[i] {
			if set[i+1] > set[i]+1 {
				w.b.WriteByte('-')
			}
			w.literal(set[i+1])
		}
	}
	w.b.WriteByte(']')
}
