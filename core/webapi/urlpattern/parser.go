package urlpattern

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a URLPattern failure: a pattern that does not parse or compile,
// or an input that cannot be used. JS sees it as a TypeError.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

func syntaxErrorf(format string, args ...any) error {
	return &Error{msg: fmt.Sprintf(format, args...)}
}

// partType is the standard's part type.
type partType uint8

const (
	partFixed           partType = iota // fixed text
	partRegexp                          // a custom regular expression
	partSegmentWildcard                 // ":name" without a regexp: one segment
	partFullWildcard                    // "*" or "(.*)"
)

// modifier is the standard's part modifier.
type modifier uint8

const (
	modNone       modifier = iota
	modOptional            // "?"
	modZeroOrMore          // "*"
	modOneOrMore           // "+"
)

func (m modifier) String() string {
	switch m {
	case modOptional:
		return "?"
	case modZeroOrMore:
		return "*"
	case modOneOrMore:
		return "+"
	}
	return ""
}

// part is one piece of a parsed pattern. For partFixed, value is the
// (encoded) text; for partRegexp, the regular expression.
type part struct {
	typ      partType
	value    string
	modifier modifier
	name     string
	prefix   string
	suffix   string
}

// options are the standard's "options" struct: the delimiter a segment
// wildcard stops at, the prefix that makes a named group's prefix
// implicit, and ignore case.
type options struct {
	delimiter  string // one code point or empty
	prefix     string // one code point or empty
	ignoreCase bool
}

var (
	defaultOptions  = options{}
	hostnameOptions = options{delimiter: "."}
	pathnameOptions = options{delimiter: "/", prefix: "/"}
)

// fullWildcardRegexp is the standard's full wildcard regexp value.
const fullWildcardRegexp = ".*"

// encodeFunc is the standard's encoding callback: it canonicalises fixed
// text of one component, failing on text the URL parser rejects.
type encodeFunc func(string) (string, error)

// patternParser holds the state of "parse a pattern string".
type patternParser struct {
	tokens         []token
	encode         encodeFunc
	segmentRegexp  string
	parts          []part
	pendingFixed   strings.Builder
	index          int
	nextNumericKey int
	opts           options
}

// parsePattern is "parse a pattern string": it returns the part list for
// input, with fixed text run through encode.
func parsePattern(input string, opts options, encode encodeFunc) ([]part, error) {
	tokens, err := tokenize([]rune(input), true)
	if err != nil {
		return nil, err
	}
	p := &patternParser{tokens: tokens, encode: encode, segmentRegexp: segmentWildcardRegexp(opts), opts: opts}
	for p.index < len(p.tokens) {
		charTok := p.tryConsume(tokChar)
		nameTok := p.tryConsume(tokName)
		regexpTok := p.tryConsumeRegexpOrWildcard(nameTok)
		if nameTok != nil || regexpTok != nil {
			prefix := ""
			if charTok != nil {
				prefix = charTok.value
			}
			if prefix != "" && prefix != opts.prefix {
				p.pendingFixed.WriteString(prefix)
				prefix = ""
			}
			if err := p.flushPending(); err != nil {
				return nil, err
			}
			mod := p.tryConsumeModifier()
			if err := p.addPart(prefix, nameTok, regexpTok, "", mod); err != nil {
				return nil, err
			}
			continue
		}
		fixed := charTok
		if fixed == nil {
			fixed = p.tryConsume(tokEscapedChar)
		}
		if fixed != nil {
			p.pendingFixed.WriteString(fixed.value)
			continue
		}
		if p.tryConsume(tokOpen) != nil {
			prefix := p.consumeText()
			nameTok := p.tryConsume(tokName)
			regexpTok := p.tryConsumeRegexpOrWildcard(nameTok)
			suffix := p.consumeText()
			if err := p.consumeRequired(tokClose); err != nil {
				return nil, err
			}
			mod := p.tryConsumeModifier()
			if err := p.addPart(prefix, nameTok, regexpTok, suffix, mod); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.flushPending(); err != nil {
			return nil, err
		}
		if err := p.consumeRequired(tokEnd); err != nil {
			return nil, err
		}
	}
	return p.parts, nil
}

func (p *patternParser) tryConsume(typ tokenType) *token {
	t := &p.tokens[p.index]
	if t.typ != typ {
		return nil
	}
	p.index++
	return t
}

func (p *patternParser) tryConsumeModifier() *token {
	if t := p.tryConsume(tokOtherModifier); t != nil {
		return t
	}
	return p.tryConsume(tokAsterisk)
}

func (p *patternParser) tryConsumeRegexpOrWildcard(nameTok *token) *token {
	t := p.tryConsume(tokRegexp)
	if nameTok == nil && t == nil {
		t = p.tryConsume(tokAsterisk)
	}
	return t
}

func (p *patternParser) consumeRequired(typ tokenType) error {
	if p.tryConsume(typ) == nil {
		t := p.tokens[p.index]
		what := "unexpected " + strconv.Quote(t.value)
		if t.typ == tokEnd {
			what = "unexpected end of pattern"
		}
		return syntaxErrorf("%s at index %d", what, t.index)
	}
	return nil
}

func (p *patternParser) consumeText() string {
	var b strings.Builder
	for {
		t := p.tryConsume(tokChar)
		if t == nil {
			t = p.tryConsume(tokEscapedChar)
		}
		if t == nil {
			return b.String()
		}
		b.WriteString(t.value)
	}
}

// flushPending is "maybe add a part from the pending fixed value".
func (p *patternParser) flushPending() error {
	if p.pendingFixed.Len() == 0 {
		return nil
	}
	v, err := p.encode(p.pendingFixed.String())
	p.pendingFixed.Reset()
	if err != nil {
		return err
	}
	p.parts = append(p.parts, part{typ: partFixed, value: v})
	return nil
}

// addPart is "add a part".
func (p *patternParser) addPart(prefix string, nameTok, regexpTok *token, suffix string, modTok *token) error {
	mod := modNone
	if modTok != nil {
		switch modTok.value {
		case "?":
			mod = modOptional
		case "*":
			mod = modZeroOrMore
		case "+":
			mod = modOneOrMore
		}
	}
	if nameTok == nil && regexpTok == nil && mod == modNone {
		p.pendingFixed.WriteString(prefix)
		return nil
	}
	if err := p.flushPending(); err != nil {
		return err
	}
	if nameTok == nil && regexpTok == nil {
		if prefix == "" {
			return nil
		}
		v, err := p.encode(prefix)
		if err != nil {
			return err
		}
		p.parts = append(p.parts, part{typ: partFixed, value: v, modifier: mod})
		return nil
	}
	var re string
	switch {
	case regexpTok == nil:
		re = p.segmentRegexp
	case regexpTok.typ == tokAsterisk:
		re = fullWildcardRegexp
	default:
		re = regexpTok.value
	}
	typ := partRegexp
	switch re {
	case p.segmentRegexp:
		typ, re = partSegmentWildcard, ""
	case fullWildcardRegexp:
		typ, re = partFullWildcard, ""
	}
	name := ""
	if nameTok != nil {
		name = nameTok.value
	} else {
		name = strconv.Itoa(p.nextNumericKey)
		p.nextNumericKey++
	}
	for i := range p.parts {
		if p.parts[i].name == name {
			return syntaxErrorf("duplicate group name %q", name)
		}
	}
	encPrefix, err := p.encode(prefix)
	if err != nil {
		return err
	}
	encSuffix, err := p.encode(suffix)
	if err != nil {
		return err
	}
	p.parts = append(p.parts, part{typ: typ, value: re, modifier: mod, name: name, prefix: encPrefix, suffix: encSuffix})
	return nil
}

// segmentWildcardRegexp is "generate a segment wildcard regexp".
func segmentWildcardRegexp(o options) string {
	return "[^" + escapeRegexpString(o.delimiter) + "]+?"
}

// escapeRegexpString is "escape a regexp string".
func escapeRegexpString(s string) string {
	if !strings.ContainsAny(s, ".+*?^${}()[]|/\\") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(".+*?^${}()[]|/\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// escapePatternString is "escape a pattern string".
func escapePatternString(s string) string {
	if !strings.ContainsAny(s, "+*?:{}()\\") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("+*?:{}()\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// generateRegexp is "generate a regular expression and name list". The
// groups it generates are the regular expression's only unnamed capturing
// groups (the tokenizer lets a custom regexp open only "(?" groups), so the
// n-th name belongs to the n-th unnamed group even when a custom regexp has
// named groups of its own.
func generateRegexp(parts []part, o options) (re string, names []string) {
	var b strings.Builder
	b.WriteByte('^')
	for i := range parts {
		pt := &parts[i]
		if pt.typ == partFixed {
			if pt.modifier == modNone {
				b.WriteString(escapeRegexpString(pt.value))
			} else {
				b.WriteString("(?:" + escapeRegexpString(pt.value) + ")" + pt.modifier.String())
			}
			continue
		}
		names = append(names, pt.name)
		value := pt.value
		switch pt.typ {
		case partSegmentWildcard:
			value = segmentWildcardRegexp(o)
		case partFullWildcard:
			value = fullWildcardRegexp
		}
		if pt.prefix == "" && pt.suffix == "" {
			if pt.modifier == modNone || pt.modifier == modOptional {
				b.WriteString("(" + value + ")" + pt.modifier.String())
			} else {
				b.WriteString("((?:" + value + ")" + pt.modifier.String() + ")")
			}
			continue
		}
		prefix, suffix := escapeRegexpString(pt.prefix), escapeRegexpString(pt.suffix)
		if pt.modifier == modNone || pt.modifier == modOptional {
			b.WriteString("(?:" + prefix + "(" + value + ")" + suffix + ")" + pt.modifier.String())
			continue
		}
		b.WriteString("(?:" + prefix + "((?:" + value + ")(?:" + suffix + prefix + "(?:" + value + "))*)" + suffix + ")")
		if pt.modifier == modZeroOrMore {
			b.WriteByte('?')
		}
	}
	b.WriteByte('$')
	return b.String(), names
}

// generatePatternString is "generate a pattern string": the normalised
// pattern the component getters return.
func generatePatternString(parts []part, o options) string {
	var b strings.Builder
	for i := range parts {
		pt := &parts[i]
		var prev, next *part
		if i > 0 {
			prev = &parts[i-1]
		}
		if i < len(parts)-1 {
			next = &parts[i+1]
		}
		if pt.typ == partFixed {
			if pt.modifier == modNone {
				b.WriteString(escapePatternString(pt.value))
			} else {
				b.WriteString("{" + escapePatternString(pt.value) + "}" + pt.modifier.String())
			}
			continue
		}
		customName := !isASCIIDigit(pt.name[0])
		needsGrouping := pt.suffix != "" || (pt.prefix != "" && pt.prefix != o.prefix)
		if !needsGrouping && customName && pt.typ == partSegmentWildcard && pt.modifier == modNone &&
			next != nil && next.prefix == "" && next.suffix == "" {
			if next.typ == partFixed {
				needsGrouping = next.value != "" && validNameCodePoint(firstRune(next.value), false)
			} else {
				needsGrouping = isASCIIDigit(next.name[0])
			}
		}
		if !needsGrouping && pt.prefix == "" && prev != nil && prev.typ == partFixed &&
			prev.value != "" && o.prefix != "" && lastRune(prev.value) == firstRune(o.prefix) {
			needsGrouping = true
		}
		if needsGrouping {
			b.WriteByte('{')
		}
		b.WriteString(escapePatternString(pt.prefix))
		if customName {
			b.WriteString(":" + pt.name)
		}
		switch pt.typ {
		case partRegexp:
			b.WriteString("(" + pt.value + ")")
		case partSegmentWildcard:
			if !customName {
				b.WriteString("(" + segmentWildcardRegexp(o) + ")")
			}
		case partFullWildcard:
			if !customName && (prev == nil || prev.typ == partFixed || prev.modifier != modNone || needsGrouping || pt.prefix != "") {
				b.WriteByte('*')
			} else {
				b.WriteString("(" + fullWildcardRegexp + ")")
			}
		}
		if pt.typ == partSegmentWildcard && customName && pt.suffix != "" && validNameCodePoint(firstRune(pt.suffix), false) {
			b.WriteByte('\\')
		}
		b.WriteString(escapePatternString(pt.suffix))
		if needsGrouping {
			b.WriteByte('}')
		}
		b.WriteString(pt.modifier.String())
	}
	return b.String()
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return -1
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return -1
	}
	return r[len(r)-1]
}
