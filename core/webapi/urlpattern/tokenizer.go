package urlpattern

import (
	"unicode"
)

// tokenType is the URL Pattern Standard's token type.
type tokenType uint8

const (
	tokOpen          tokenType = iota // "{"
	tokClose                          // "}"
	tokRegexp                         // "(…)": value is the text between the parentheses
	tokName                           // ":name": value is the name
	tokChar                           // any other code point
	tokEscapedChar                    // "\x": value is x
	tokOtherModifier                  // "?" or "+"
	tokAsterisk                       // "*"
	tokEnd                            // end of input
	tokInvalidChar                    // lenient policy only: a code point that failed to tokenize
)

// token is one token of a pattern string. index is the code point index of
// its first code point in the input.
type token struct {
	typ   tokenType
	index int
	value string
}

// tokenizer turns a pattern string into tokens ("tokenize" in the standard).
// It works on code points: indices are indices into input.
type tokenizer struct {
	input     []rune
	strict    bool // the "strict" policy: errors throw instead of making invalid-char tokens
	index     int
	nextIndex int
	cp        rune
	tokens    []token
}

// tokenize runs the standard's tokenizer. With strict set an error returns
// a *SyntaxError; otherwise failures become tokInvalidChar tokens.
func tokenize(input []rune, strict bool) ([]token, error) {
	t := &tokenizer{input: input, strict: strict, tokens: make([]token, 0, len(input)+1)}
	for t.index < len(t.input) {
		t.seekNext(t.index)
		switch t.cp {
		case '*':
			t.addDefault(tokAsterisk)
		case '+', '?':
			t.addDefault(tokOtherModifier)
		case '\\':
			if t.index == len(t.input)-1 {
				if err := t.fail(t.nextIndex, t.index, "trailing backslash"); err != nil {
					return nil, err
				}
				continue
			}
			escaped := t.nextIndex
			t.next()
			t.addDefaultLength(tokEscapedChar, t.nextIndex, escaped)
		case '{':
			t.addDefault(tokOpen)
		case '}':
			t.addDefault(tokClose)
		case ':':
			pos := t.nextIndex
			start := pos
			for pos < len(t.input) {
				t.seekNext(pos)
				if !validNameCodePoint(t.cp, pos == start) {
					break
				}
				pos = t.nextIndex
			}
			if pos <= start {
				if err := t.fail(start, t.index, "missing parameter name"); err != nil {
					return nil, err
				}
				continue
			}
			t.addDefaultLength(tokName, pos, start)
		case '(':
			if err := t.regexp(); err != nil {
				return nil, err
			}
		default:
			t.addDefault(tokChar)
		}
	}
	t.addDefaultLength(tokEnd, t.index, t.index)
	return t.tokens, nil
}

// regexp tokenizes "(…)" at t.index, with the standard's checks: ASCII only,
// balanced parentheses, every nested group opened with "(?", not empty.
func (t *tokenizer) regexp() error {
	depth := 1
	pos := t.nextIndex
	start := pos
	failed := false
	var err error
	fail := func(why string) {
		err = t.fail(start, t.index, why)
		failed = true
	}
	for pos < len(t.input) {
		t.seekNext(pos)
		if t.cp > 0x7F {
			fail("regular expression contains a non-ASCII code point")
			break
		}
		if pos == start && t.cp == '?' {
			fail("regular expression starts with \"?\"")
			break
		}
		if t.cp == '\\' {
			if pos == len(t.input)-1 {
				fail("regular expression ends with a backslash")
				break
			}
			t.next()
			if t.cp > 0x7F {
				fail("regular expression contains a non-ASCII code point")
				break
			}
			pos = t.nextIndex
			continue
		}
		if t.cp == ')' {
			depth--
			if depth == 0 {
				pos = t.nextIndex
				break
			}
		} else if t.cp == '(' {
			depth++
			if pos == len(t.input)-1 {
				fail("unbalanced parenthesis in regular expression")
				break
			}
			tmp := t.nextIndex
			t.next()
			if t.cp != '?' {
				fail("capturing group inside a regular expression group (use \"(?:\")")
				break
			}
			t.nextIndex = tmp
		}
		pos = t.nextIndex
	}
	if failed {
		return err
	}
	if depth != 0 {
		return t.fail(start, t.index, "unbalanced parenthesis in regular expression")
	}
	length := pos - start - 1
	if length == 0 {
		return t.fail(start, t.index, "empty regular expression group")
	}
	t.add(tokRegexp, pos, start, length)
	return nil
}

// next is "get the next code point": the code point at nextIndex.
func (t *tokenizer) next() {
	t.cp = t.input[t.nextIndex]
	t.nextIndex++
}

// seekNext is "seek and get the next code point".
func (t *tokenizer) seekNext(i int) {
	t.nextIndex = i
	t.next()
}

func (t *tokenizer) add(typ tokenType, nextPos, valuePos, valueLen int) {
	t.tokens = append(t.tokens, token{typ: typ, index: t.index, value: string(t.input[valuePos : valuePos+valueLen])})
	t.index = nextPos
}

func (t *tokenizer) addDefaultLength(typ tokenType, nextPos, valuePos int) {
	t.add(typ, nextPos, valuePos, nextPos-valuePos)
}

func (t *tokenizer) addDefault(typ tokenType) {
	t.addDefaultLength(typ, t.nextIndex, t.index)
}

// fail is "process a tokenizing error".
func (t *tokenizer) fail(nextPos, valuePos int, why string) error {
	if t.strict {
		return syntaxErrorf("%s at index %d", why, valuePos)
	}
	t.addDefaultLength(tokInvalidChar, nextPos, valuePos)
	return nil
}

// validNameCodePoint: identifier start (first) or identifier part code
// points as in JavaScript identifiers.
func validNameCodePoint(r rune, first bool) bool {
	if r == '$' || r == '_' {
		return true
	}
	if first {
		return isIDStart(r)
	}
	return r == 0x200C || r == 0x200D || isIDContinue(r)
}

// isIDStart is Unicode ID_Start: letters, letter numbers and Other_ID_Start,
// minus Pattern_Syntax and Pattern_White_Space.
func isIDStart(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
	}
	if unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space) {
		return false
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start)
}

// isIDContinue is Unicode ID_Continue.
func isIDContinue(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	if unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space) {
		return false
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_ID_Start, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}
