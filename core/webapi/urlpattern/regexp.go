package urlpattern

import (
	"strconv"
	"strings"
)

// This file parses the regular expressions the standard builds (with the
// "v" flag, so custom groups use ECMAScript's unicodeSets syntax) into a
// small tree, checking the syntax as RegExpCreate would, and writes the tree
// back out for a Go engine:
//
//   - Go's regexp (RE2) when it can: linear time, about twice as fast as a
//     backtracking engine on URL-sized inputs and with one allocation per
//     match. Its semantics match ECMAScript's for everything the standard
//     generates (leftmost-first alternation, lazy and greedy quantifiers,
//     captures outside repetition), once classes, "." and the class escapes
//     are spelled out as explicit ranges, which this translation does.
//   - github.com/dlclark/regexp2 (a backtracking engine, already in goja's
//     dependency graph) only for custom groups that need what RE2 lacks:
//     lookahead, lookbehind, backreferences, counted repetition over 1000.
//
// Neither engine knows the v flag's set operations ([\d&&[0-1]],
// [[a-z]--a], nested classes): classes are resolved here to plain ranges.

// reOp is a regexp tree node kind.
type reOp uint8

const (
	reEmpty reOp = iota
	reLiteral
	reClass    // set, negated
	reConcat   // subs
	reAlt      // subs
	reGroup    // subs[0]; capture > 0 for a capturing group
	reRepeat   // subs[0], min, max (-1: unbounded), greedy
	reBegin    // ^
	reEnd      // $
	reWordB    // \b
	reNotWordB // \B
	reLook     // subs[0], negate, behind
	reBackref  // capture
)

type reNode struct {
	op       reOp
	r        rune
	set      charSet
	negated  bool
	subs     []*reNode
	min, max int
	greedy   bool
	capture  int // capture group number (1-based) or back-referenced group
	// flagsOn and flagsOff are a modifiers group's flags: only "i" reaches
	// the output; "s" and "m" are applied while parsing.
	flagsOn, flagsOff []rune
	check             int // reRepeat: output group of the empty-iteration check, or 0
	named             bool
	behind            bool
	// multiline: reBegin and reEnd also match at line terminators.
	multiline bool
}

// reParser parses one ECMAScript pattern with the u/v grammar.
type reParser struct {
	src      []rune
	pos      int
	nGroups  int // capturing groups opened so far
	total    int // capturing groups in the whole pattern (pre-scanned)
	names    map[string]int
	backrefs []*reNode
	namedRef []namedRef
	needsBT  bool // needs a backtracking engine
	// dotAll and multiline are the s and m modifiers in effect; (?s:…)
	// and (?m:…) groups change them for their contents.
	dotAll, multiline bool
}

type namedRef struct {
	node *reNode
	name string
}

func reErrorf(format string, args ...any) error {
	return syntaxErrorf("invalid regular expression: "+format, args...)
}

// parseRegexp parses a pattern in v mode.
func parseRegexp(src string) (*reNode, *reParser, error) {
	p := &reParser{src: []rune(src), names: map[string]int{}}
	p.total = countCaptures(p.src)
	n, err := p.disjunction()
	if err != nil {
		return nil, nil, err
	}
	if p.pos < len(p.src) {
		return nil, nil, reErrorf("unmatched %q", p.src[p.pos])
	}
	for _, nr := range p.namedRef {
		idx, ok := p.names[nr.name]
		if !ok {
			return nil, nil, reErrorf("invalid named reference %q", nr.name)
		}
		nr.node.capture = idx
	}
	for _, b := range p.backrefs {
		if b.capture > p.nGroups {
			return nil, nil, reErrorf("invalid backreference \\%d", b.capture)
		}
	}
	return n, p, nil
}

// countCaptures counts capturing groups ahead of parsing, since a
// backreference may precede its group.
func countCaptures(src []rune) int {
	n := 0
	inClass := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '[':
			inClass++
		case ']':
			if inClass > 0 {
				inClass--
			}
		case '(':
			if inClass > 0 {
				continue
			}
			if i+1 < len(src) && src[i+1] == '?' {
				if i+3 < len(src) && src[i+2] == '<' && src[i+3] != '=' && src[i+3] != '!' {
					n++
				}
				continue
			}
			n++
		}
	}
	return n
}

func (p *reParser) eof() bool { return p.pos >= len(p.src) }

func (p *reParser) peek() rune {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return -1
}

func (p *reParser) peekAt(i int) rune {
	if p.pos+i < len(p.src) {
		return p.src[p.pos+i]
	}
	return -1
}

func (p *reParser) lookingAt(s string) bool {
	i := 0
	for _, r := range s {
		if p.peekAt(i) != r {
			return false
		}
		i++
	}
	return true
}

func (p *reParser) disjunction() (*reNode, error) {
	var alts []*reNode
	for {
		a, err := p.alternative()
		if err != nil {
			return nil, err
		}
		alts = append(alts, a)
		if p.peek() != '|' {
			break
		}
		p.pos++
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &reNode{op: reAlt, subs: alts}, nil
}

func (p *reParser) alternative() (*reNode, error) {
	var terms []*reNode
	for !p.eof() && p.peek() != '|' && p.peek() != ')' {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	switch len(terms) {
	case 0:
		return &reNode{op: reEmpty}, nil
	case 1:
		return terms[0], nil
	}
	return &reNode{op: reConcat, subs: terms}, nil
}

func (p *reParser) term() (*reNode, error) {
	c := p.peek()
	var atom *reNode
	quantifiable := true
	switch {
	case c == '^':
		p.pos++
		atom, quantifiable = &reNode{op: reBegin, multiline: p.multiline}, false
		p.needsBT = p.needsBT || p.multiline
	case c == '$':
		p.pos++
		atom, quantifiable = &reNode{op: reEnd, multiline: p.multiline}, false
		p.needsBT = p.needsBT || p.multiline
	case c == '\\' && p.peekAt(1) == 'b':
		p.pos += 2
		atom, quantifiable = &reNode{op: reWordB}, false
	case c == '\\' && p.peekAt(1) == 'B':
		p.pos += 2
		atom, quantifiable = &reNode{op: reNotWordB}, false
	case p.lookingAt("(?=") || p.lookingAt("(?!") || p.lookingAt("(?<=") || p.lookingAt("(?<!"):
		behind := p.peekAt(2) == '<'
		negate := p.peekAt(2) == '!' || (behind && p.peekAt(3) == '!')
		if behind {
			p.pos += 4
		} else {
			p.pos += 3
		}
		sub, err := p.disjunction()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, reErrorf("unterminated group")
		}
		p.pos++
		p.needsBT = true
		atom, quantifiable = &reNode{op: reLook, subs: []*reNode{sub}, negated: negate, behind: behind}, false
	default:
		var err error
		if atom, err = p.atom(); err != nil {
			return nil, err
		}
	}
	return p.quantifier(atom, quantifiable)
}

func (p *reParser) quantifier(atom *reNode, quantifiable bool) (*reNode, error) {
	lo, hi := 0, 0
	switch p.peek() {
	case '*':
		lo, hi = 0, -1
		p.pos++
	case '+':
		lo, hi = 1, -1
		p.pos++
	case '?':
		lo, hi = 0, 1
		p.pos++
	case '{':
		var ok bool
		if lo, hi, ok = p.braces(); !ok {
			return nil, reErrorf("incomplete quantifier")
		}
	default:
		return atom, nil
	}
	if !quantifiable {
		return nil, reErrorf("nothing to repeat")
	}
	greedy := true
	if p.peek() == '?' {
		greedy = false
		p.pos++
	}
	if hi >= 0 && lo > hi {
		return nil, reErrorf("numbers out of order in {} quantifier")
	}
	if lo > 1000 || hi > 1000 {
		p.needsBT = true
	}
	return &reNode{op: reRepeat, subs: []*reNode{atom}, min: lo, max: hi, greedy: greedy}, nil
}

// braces parses {n}, {n,} or {n,m} at p.pos.
func (p *reParser) braces() (lo, hi int, ok bool) {
	i := p.pos + 1
	digits := func() (int, bool) {
		start := i
		for i < len(p.src) && '0' <= p.src[i] && p.src[i] <= '9' {
			i++
		}
		if i == start {
			return 0, false
		}
		n, err := strconv.Atoi(string(p.src[start:i]))
		if err != nil {
			n = 1 << 30
		}
		return min(n, 1<<30), true
	}
	lo, ok = digits()
	if !ok {
		return 0, 0, false
	}
	hi = lo
	if i < len(p.src) && p.src[i] == ',' {
		i++
		if i < len(p.src) && p.src[i] == '}' {
			hi = -1
		} else if hi, ok = digits(); !ok {
			return 0, 0, false
		}
	}
	if i >= len(p.src) || p.src[i] != '}' {
		return 0, 0, false
	}
	p.pos = i + 1
	return lo, hi, true
}

func (p *reParser) atom() (*reNode, error) {
	c := p.peek()
	switch c {
	case '.':
		p.pos++
		if p.dotAll {
			return &reNode{op: reClass, set: charSet{}, negated: true}, nil
		}
		return &reNode{op: reClass, set: lineTerminators, negated: true}, nil
	case '(':
		return p.group()
	case '[':
		p.pos++
		set, negated, err := p.class()
		if err != nil {
			return nil, err
		}
		return &reNode{op: reClass, set: set, negated: negated}, nil
	case '\\':
		return p.atomEscape()
	case '*', '+', '?', '{':
		return nil, reErrorf("nothing to repeat")
	case '}', ']':
		return nil, reErrorf("lone quantifier brackets")
	}
	p.pos++
	return &reNode{op: reLiteral, r: c}, nil
}

func (p *reParser) group() (*reNode, error) {
	p.pos++ // (
	node := &reNode{op: reGroup}
	switch {
	case p.lookingAt("?:"):
		p.pos += 2
	case p.lookingAt("?<"):
		p.pos += 2
		name, err := p.groupName()
		if err != nil {
			return nil, err
		}
		if _, dup := p.names[name]; dup {
			return nil, reErrorf("duplicate capture group name %q", name)
		}
		p.nGroups++
		p.names[name] = p.nGroups
		node.capture, node.named = p.nGroups, true
	case p.peek() == '?':
		p.pos++
		if err := p.modifiers(node); err != nil {
			return nil, err
		}
		saved := [2]bool{p.dotAll, p.multiline}
		defer func() { p.dotAll, p.multiline = saved[0], saved[1] }()
		for _, f := range node.flagsOn {
			p.setFlag(f, true)
		}
		for _, f := range node.flagsOff {
			p.setFlag(f, false)
		}
	default:
		p.nGroups++
		node.capture = p.nGroups
	}
	sub, err := p.disjunction()
	if err != nil {
		return nil, err
	}
	if p.peek() != ')' {
		return nil, reErrorf("unterminated group")
	}
	p.pos++
	node.subs = []*reNode{sub}
	return node, nil
}

// modifiers parses the flags of a modifiers group, "ims-ims:" after "(?"
// (ECMAScript 2025).
func (p *reParser) modifiers(node *reNode) error {
	seen := map[rune]bool{}
	on := true
	for {
		c := p.peek()
		switch {
		case c == ':':
			p.pos++
			if len(node.flagsOn) == 0 && len(node.flagsOff) == 0 && on {
				return reErrorf("invalid group")
			}
			if !on && len(node.flagsOff) == 0 {
				return reErrorf("invalid flags in modifiers group")
			}
			return nil
		case c == '-' && on:
			on = false
			p.pos++
		case c == 'i' || c == 'm' || c == 's':
			if seen[c] {
				return reErrorf("repeated flag in modifiers group")
			}
			seen[c] = true
			if on {
				node.flagsOn = append(node.flagsOn, c)
			} else {
				node.flagsOff = append(node.flagsOff, c)
			}
			p.pos++
		default:
			return reErrorf("invalid group")
		}
	}
}

func (p *reParser) setFlag(f rune, v bool) {
	switch f {
	case 's':
		p.dotAll = v
	case 'm':
		p.multiline = v
	}
}

// groupName parses "name>" (after "<") with \u escapes.
func (p *reParser) groupName() (string, error) {
	var b strings.Builder
	first := true
	for {
		if p.eof() {
			return "", reErrorf("invalid capture group name")
		}
		c := p.peek()
		if c == '>' {
			p.pos++
			break
		}
		p.pos++
		if c == '\\' {
			if p.peek() != 'u' {
				return "", reErrorf("invalid capture group name")
			}
			p.pos++
			r, ok := p.unicodeEscape()
			if !ok {
				return "", reErrorf("invalid Unicode escape")
			}
			c = r
		}
		if !validNameCodePoint(c, first) {
			return "", reErrorf("invalid capture group name")
		}
		first = false
		b.WriteRune(c)
	}
	if b.Len() == 0 {
		return "", reErrorf("invalid capture group name")
	}
	return b.String(), nil
}

func (p *reParser) atomEscape() (*reNode, error) {
	p.pos++ // backslash
	if p.eof() {
		return nil, reErrorf("\\ at end of pattern")
	}
	c := p.peek()
	switch {
	case '1' <= c && c <= '9':
		start := p.pos
		for !p.eof() && '0' <= p.peek() && p.peek() <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(string(p.src[start:p.pos]))
		if err != nil || n > p.total {
			return nil, reErrorf("invalid escape")
		}
		node := &reNode{op: reBackref, capture: n}
		p.backrefs = append(p.backrefs, node)
		p.needsBT = true
		return node, nil
	case c == 'k':
		p.pos++
		if p.peek() != '<' {
			return nil, reErrorf("invalid named reference")
		}
		p.pos++
		name, err := p.groupName()
		if err != nil {
			return nil, err
		}
		node := &reNode{op: reBackref}
		p.namedRef = append(p.namedRef, namedRef{node, name})
		p.needsBT = true
		return node, nil
	}
	if set, negated, ok, err := p.classEscape(); err != nil {
		return nil, err
	} else if ok {
		return &reNode{op: reClass, set: set, negated: negated}, nil
	}
	r, err := p.characterEscape(false)
	if err != nil {
		return nil, err
	}
	return &reNode{op: reLiteral, r: r}, nil
}

// classEscape parses \d \D \s \S \w \W \p{…} \P{…} at p.pos (after the
// backslash). ok is false, with nothing consumed, for other escapes.
func (p *reParser) classEscape() (set charSet, negated, ok bool, err error) {
	switch p.peek() {
	case 'd':
		set = digitSet
	case 'D':
		set, negated = digitSet, true
	case 's':
		set = spaceSet
	case 'S':
		set, negated = spaceSet, true
	case 'w':
		set = wordSet
	case 'W':
		set, negated = wordSet, true
	case 'p', 'P':
		negated = p.peek() == 'P'
		p.pos++
		if p.peek() != '{' {
			return nil, false, false, reErrorf("invalid property name")
		}
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '}' {
			end++
		}
		if end >= len(p.src) {
			return nil, false, false, reErrorf("invalid property name")
		}
		expr := string(p.src[p.pos+1 : end])
		p.pos = end + 1
		s, found := unicodeProperty(expr)
		if !found {
			return nil, false, false, reErrorf("invalid or unsupported property name %q", expr)
		}
		return s, negated, true, nil
	default:
		return nil, false, false, nil
	}
	p.pos++
	return set, negated, true, nil
}

// characterEscape parses a CharacterEscape after the backslash. inClass
// allows the v-mode class-only escapes (\b, \-, reserved punctuators).
func (p *reParser) characterEscape(inClass bool) (rune, error) {
	c := p.peek()
	p.pos++
	switch c {
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'v':
		return '\v', nil
	case 'c':
		l := p.peek()
		if 'a' <= l && l <= 'z' || 'A' <= l && l <= 'Z' {
			p.pos++
			return l % 32, nil
		}
		return 0, reErrorf("invalid unicode escape")
	case '0':
		if d := p.peek(); '0' <= d && d <= '9' {
			return 0, reErrorf("invalid decimal escape")
		}
		return 0, nil
	case 'x':
		if h1, h2 := hexVal(p.peek()), hexVal(p.peekAt(1)); h1 >= 0 && h2 >= 0 {
			p.pos += 2
			return rune(h1<<4 | h2), nil
		}
		return 0, reErrorf("invalid escape")
	case 'u':
		r, ok := p.unicodeEscape()
		if !ok {
			return 0, reErrorf("invalid Unicode escape")
		}
		return r, nil
	}
	if strings.ContainsRune(`^$\.*+?()[]{}|/`, c) {
		return c, nil
	}
	if inClass {
		if c == 'b' {
			return '\b', nil
		}
		if strings.ContainsRune("&-!#%,:;<=>@`~", c) {
			return c, nil
		}
	}
	return 0, reErrorf("invalid escape")
}

// unicodeEscape parses the rest of \u: XXXX (joining a surrogate pair
// written as two escapes) or {X…}.
func (p *reParser) unicodeEscape() (rune, bool) {
	if p.peek() == '{' {
		end := p.pos + 1
		var v rune
		for end < len(p.src) && hexVal(p.src[end]) >= 0 {
			v = v<<4 | rune(hexVal(p.src[end]))
			if v > maxRune {
				return 0, false
			}
			end++
		}
		if end == p.pos+1 || end >= len(p.src) || p.src[end] != '}' {
			return 0, false
		}
		p.pos = end + 1
		return v, true
	}
	v, ok := p.hex4(p.pos)
	if !ok {
		return 0, false
	}
	p.pos += 4
	if 0xD800 <= v && v <= 0xDBFF && p.peek() == '\\' && p.peekAt(1) == 'u' {
		if lo, ok := p.hex4(p.pos + 2); ok && 0xDC00 <= lo && lo <= 0xDFFF {
			p.pos += 6
			return (v-0xD800)<<10 + (lo - 0xDC00) + 0x10000, true
		}
	}
	return v, true
}

func (p *reParser) hex4(at int) (rune, bool) {
	if at+4 > len(p.src) {
		return 0, false
	}
	var v rune
	for i := at; i < at+4; i++ {
		h := hexVal(p.src[i])
		if h < 0 {
			return 0, false
		}
		v = v<<4 | rune(h)
	}
	return v, true
}

func hexVal(r rune) int {
	switch {
	case '0' <= r && r <= '9':
		return int(r - '0')
	case 'a' <= r && r <= 'f':
		return int(r-'a') + 10
	case 'A' <= r && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}

// class parses v-mode ClassContents after "[" through the closing "]".
func (p *reParser) class() (set charSet, negated bool, err error) {
	if p.peek() == '^' {
		negated = true
		p.pos++
	}
	if p.peek() == ']' {
		p.pos++
		return charSet{}, negated, nil
	}
	first, isChar, err := p.classOperand()
	if err != nil {
		return nil, false, err
	}
	switch {
	case p.lookingAt("&&") || p.lookingAt("--"):
		op := p.peek()
		set = first
		for p.lookingAt("&&") || p.lookingAt("--") {
			if p.peek() != op {
				return nil, false, reErrorf("invalid set operation in character class")
			}
			p.pos += 2
			if op == '&' && p.peek() == '&' {
				return nil, false, reErrorf("invalid character in character class")
			}
			next, _, err := p.classOperand()
			if err != nil {
				return nil, false, err
			}
			if op == '&' {
				set = intersect(set, next)
			} else {
				set = subtract(set, next)
			}
		}
		if p.peek() != ']' {
			return nil, false, reErrorf("invalid set operation in character class")
		}
		p.pos++
		return set, negated, nil
	}
	// ClassUnion: operands and ranges.
	set = charSet{}
	prev, prevIsChar := first, isChar
	for {
		if p.peek() == '-' && !p.lookingAt("--") {
			if prev == nil || !prevIsChar {
				return nil, false, reErrorf("invalid character class")
			}
			p.pos++
			hiSet, hiIsChar, err := p.classOperand()
			if err != nil {
				return nil, false, err
			}
			if !hiIsChar {
				return nil, false, reErrorf("invalid character class")
			}
			if hiSet[0] < prev[0] {
				return nil, false, reErrorf("range out of order in character class")
			}
			set = append(set, prev[0], hiSet[0])
			prev = nil
		} else if prev != nil {
			set = append(set, prev...)
			prev = nil
		}
		if p.peek() == ']' {
			p.pos++
			return set.normalize(), negated, nil
		}
		if p.eof() {
			return nil, false, reErrorf("unterminated character class")
		}
		if p.lookingAt("&&") || p.lookingAt("--") {
			return nil, false, reErrorf("invalid set operation in character class")
		}
		if prev, prevIsChar, err = p.classOperand(); err != nil {
			return nil, false, err
		}
	}
}

// classOperand parses a ClassSetOperand: a nested class, a class escape,
// \q{…} or a single character (isChar, for ranges).
func (p *reParser) classOperand() (set charSet, isChar bool, err error) {
	if p.eof() {
		return nil, false, reErrorf("unterminated character class")
	}
	c := p.peek()
	switch c {
	case '[':
		p.pos++
		s, negated, err := p.class()
		if err != nil {
			return nil, false, err
		}
		if negated {
			s = complement(s)
		}
		return s, false, nil
	case '\\':
		p.pos++
		if p.eof() {
			return nil, false, reErrorf("\\ at end of pattern")
		}
		if p.peek() == 'q' && p.peekAt(1) == '{' {
			return p.classStrings()
		}
		s, negated, ok, err := p.classEscape()
		if err != nil {
			return nil, false, err
		}
		if ok {
			if negated {
				s = complement(s)
			}
			return s, false, nil
		}
		r, err := p.characterEscape(true)
		if err != nil {
			return nil, false, err
		}
		return singleton(r), true, nil
	}
	if strings.ContainsRune("()[]{}/-\\|", c) {
		return nil, false, reErrorf("invalid character in character class")
	}
	if n := p.peekAt(1); n == c && strings.ContainsRune("&!#$%*+,.:;<=>?@^`~", c) {
		return nil, false, reErrorf("invalid set operation in character class")
	}
	p.pos++
	return singleton(c), true, nil
}

// classStrings parses \q{a|b|…}. Only single code points are supported:
// strings of several would need the class to become an alternation.
func (p *reParser) classStrings() (charSet, bool, error) {
	p.pos += 2 // q{
	set := charSet{}
	n := 0
	for {
		if p.eof() {
			return nil, false, reErrorf("unterminated class string disjunction")
		}
		switch c := p.peek(); c {
		case '}', '|':
			if n != 1 {
				return nil, false, reErrorf("class strings of other than one code point are not supported")
			}
			n = 0
			p.pos++
			if c == '}' {
				return set.normalize(), false, nil
			}
		case '\\':
			p.pos++
			r, err := p.characterEscape(true)
			if err != nil {
				return nil, false, err
			}
			set = append(set, r, r)
			n++
		default:
			if strings.ContainsRune("()[]{}/-|", c) {
				return nil, false, reErrorf("invalid character in class string disjunction")
			}
			p.pos++
			set = append(set, c, c)
			n++
		}
	}
}
