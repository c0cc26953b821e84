package urlpattern

import (
	"strings"
	"testing"
	"time"
)

// u marks a group that did not participate (JS undefined) in want.
const u = "\x00undefined"

// TestRegexp checks the ECMAScript (v flag) regular expressions the
// standard builds against what JavaScript engines answer: the groups
// listed are the unnamed capturing groups, which are the pattern's groups.
// engine says which Go engine the translation must pick.
func TestRegexp(t *testing.T) {
	for _, tc := range []struct {
		src        string
		ignoreCase bool
		input      string
		want       []string // nil: no match
		engine     matchKind
	}{
		{`^(\d+)$`, false, "123", []string{"123"}, matchRE2},
		{`^(\d+)$`, false, "12a", nil, matchRE2},
		{`^(\d+)$`, false, "١٢", nil, matchRE2}, // \d is ASCII
		{`^([\d&&[0-1]])$`, false, "0", []string{"0"}, matchRE2},
		{`^([\d&&[0-1]])$`, false, "3", nil, matchRE2},
		{`^([[a-z]--[aeiou]]+)$`, false, "bcd", []string{"bcd"}, matchRE2},
		{`^([[a-z]--[aeiou]]+)$`, false, "bad", nil, matchRE2},
		{`^([\w--\d]+)$`, false, "a_b", []string{"a_b"}, matchRE2},
		{`^([\q{x|y}z])$`, false, "y", []string{"y"}, matchRE2},
		{`^(.)$`, false, "\n", nil, matchRE2},
		{`^(.)$`, false, "\u2028", nil, matchRE2},
		{`^(.)$`, false, "é", []string{"é"}, matchRE2},
		{`^(.)$`, false, "😀", []string{"😀"}, matchRE2}, // code points, not UTF-16 units
		{`^([^])$`, false, "\n", []string{"\n"}, matchRE2},
		{`^([])$`, false, "a", nil, matchRE2},
		{`^(\w+)$`, false, "abc_9", []string{"abc_9"}, matchRE2},
		{`^(\w+)$`, false, "é", nil, matchRE2},
		{`^(\s)$`, false, "\u00a0", []string{"\u00a0"}, matchRE2},
		{`^(\s)$`, false, "\ufeff", []string{"\ufeff"}, matchRE2},
		{`^(\S)$`, false, " ", nil, matchRE2},
		{`^(\p{L}+)$`, false, "héllo", []string{"héllo"}, matchRE2},
		{`^(\p{Letter}+)$`, false, "h3", nil, matchRE2},
		{`^(\p{Script=Greek}+)$`, false, "αβγ", []string{"αβγ"}, matchRE2},
		{`^(\p{gc=Nd})$`, false, "٣", []string{"٣"}, matchRE2},
		{`^(\P{L})$`, false, "a", nil, matchRE2},
		{`^(\p{ASCII_Hex_Digit}+)$`, false, "beef", []string{"beef"}, matchRE2},
		{`^([\p{Lu}--[A-Z]])$`, false, "É", []string{"É"}, matchRE2},
		{`^([\p{Lu}--[A-Z]])$`, false, "E", nil, matchRE2},
		{`^(\u{1F600})$`, false, "😀", []string{"😀"}, matchRE2},
		{`^(\uD83D\uDE00)$`, false, "😀", []string{"😀"}, matchRE2},
		{`^(\x41\u0042\cJ\0)$`, false, "AB\n\x00", []string{"AB\n\x00"}, matchRE2},
		{`^(\/\.\*\$\^\|\[\]\{\}\(\))$`, false, "/.*$^|[]{}()", []string{"/.*$^|[]{}()"}, matchRE2},
		{`^([\-\&\!\#]+)$`, false, "-&!#", []string{"-&!#"}, matchRE2},
		{`^(a|ab)(c|bcd)(d*)$`, false, "abcd", []string{"a", "bcd", ""}, matchRE2},
		{`^(a*?)(a*)$`, false, "aaa", []string{"", "aaa"}, matchRE2},
		{`^(a{2,3})$`, false, "aaa", []string{"aaa"}, matchRE2},
		{`^(a{2,3})$`, false, "aaaa", nil, matchRE2},
		{`^(a{2,})$`, false, "aaaa", []string{"aaaa"}, matchRE2},
		// An iteration of a quantifier with minimum 0 may not match the
		// empty string, so the group is undefined, not "".
		{`^(.*)?$`, false, "", []string{u}, matchRE2},
		{`^(.*)?$`, false, "x", []string{"x"}, matchRE2},
		{`^(.*)(.*)?$`, false, "foobar", []string{"foobar", u}, matchRE2},
		{`^(?:(a*)b?)?c$`, false, "c", []string{u}, matchRE2},
		{`^(?:(a*)b?)?c$`, false, "bc", []string{""}, matchRE2},
		{`^(a\b)$`, false, "a", []string{"a"}, matchRE2},
		{`^(a\Bb)$`, false, "ab", []string{"ab"}, matchRE2},
		{`^(abc)$`, true, "ABC", []string{"ABC"}, matchRE2},
		{`^([^a])$`, true, "A", nil, matchRE2},
		{`^(\u212A)$`, true, "k", []string{"k"}, matchRE2},
		{`^(?<name>a)(b)$`, false, "ab", []string{"b"}, matchRE2},
		// What RE2 cannot do goes to regexp2.
		{`^(a(?=b))b$`, false, "ab", []string{"a"}, matchBacktrack},
		{`^((?!x).+)$`, false, "abc", []string{"abc"}, matchBacktrack},
		{`^((?!x).+)$`, false, "xbc", nil, matchBacktrack},
		{`^a((?<=a)b)$`, false, "ab", []string{"b"}, matchBacktrack},
		{`^a((?<!a)b)$`, false, "ab", nil, matchBacktrack},
		{`^(a)(\1)$`, false, "aa", []string{"a", "a"}, matchBacktrack},
		{`^(a)(\1)$`, false, "ab", nil, matchBacktrack},
		{`^(?<n>a)(\k<n>)$`, false, "aa", []string{"a"}, matchBacktrack},
		{`^(a)?(\1b)$`, false, "b", []string{u, "b"}, matchBacktrack}, // an unset group matches ""
		{`^(A)(\1)$`, true, "Aa", []string{"A", "a"}, matchBacktrack},
		{`^(a{1001})$`, false, strings.Repeat("a", 1001), []string{strings.Repeat("a", 1001)}, matchBacktrack},
		{`^(\bfoo(?=x))x$`, false, "foox", []string{"foo"}, matchBacktrack},
		{`^(\bé(?=x))x$`, false, "éx", nil, matchBacktrack}, // \b is ASCII in regexp2 too
		{`^((?=.)a*)?$`, false, "", []string{u}, matchBacktrack},
		{`^((?=a)[\w.~\-]+_)$`, false, "a_b.c~d-_", []string{"a_b.c~d-_"}, matchBacktrack}, // escapes regexp2 accepts
		// Modifiers groups (ECMAScript 2025).
		{`^((?i:ab)c)$`, false, "ABc", []string{"ABc"}, matchRE2},
		{`^((?i:ab)c)$`, false, "ABC", nil, matchRE2},
		{`^((?-i:ab)c)$`, true, "abC", []string{"abC"}, matchRE2},
		{`^((?-i:ab)c)$`, true, "Abc", nil, matchRE2},
		{`^((?s:.).)$`, false, "\nx", []string{"\nx"}, matchRE2},
		{`^((?s:.).)$`, false, "x\n", nil, matchRE2},
		{`^(a(?m:$)\n?)$`, false, "a\n", []string{"a\n"}, matchBacktrack},
	} {
		c := &compiled{}
		if err := c.compileRegexp(tc.src, tc.ignoreCase); err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if c.kind != tc.engine {
			t.Errorf("%s: engine %d, want %d", tc.src, c.kind, tc.engine)
		}
		check(t, c, tc.src, tc.input, tc.want)
		if tc.engine == matchRE2 {
			// The same pattern on regexp2 must agree (its output syntax
			// differs in places).
			bt := &compiled{}
			if err := bt.compileRegexpFor(tc.src, tc.ignoreCase, true); err != nil {
				t.Errorf("%s on regexp2: %v", tc.src, err)
				continue
			}
			check(t, bt, tc.src+" on regexp2", tc.input, tc.want)
		}
	}
}

// check runs c on input and compares exec's groups (u for undefined) and
// test() with want (nil: no match).
func check(t *testing.T, c *compiled, src, input string, want []string) {
	t.Helper()
	groups, ok := c.exec(input, nil)
	if ok != (want != nil) {
		t.Errorf("%s on %q: match %v, want %v", src, input, ok, want != nil)
		return
	}
	if test := c.test(input); test != ok {
		t.Errorf("%s on %q: test %v, exec %v", src, input, test, ok)
	}
	var got []string
	for _, g := range groups {
		if g.ok {
			got = append(got, g.value)
		} else {
			got = append(got, u)
		}
	}
	if ok && strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s on %q: groups %q, want %q", src, input, got, want)
	}
}

// TestRegexpErrors lists patterns RegExpCreate rejects with the v flag.
func TestRegexpErrors(t *testing.T) {
	for _, src := range []string{
		`(`, `)`, `a)`, `[a`, `[a-`, `a{2,1}`, `*a`, `a**`, `a{`, `}`, `]`, `\`,
		`\m`, `\H`, `\-`, `\u{110000}`, `\c1`, `\00`, `(?<1a>x)`, `(?<a>x)(?<a>y)`, `\k<zz>`, `(?<a>x)\k<b>`,
		`\2(a)`, `(?R)`, `(?i)a`, `(?ii:a)`, `(?i-i:a)`, `(?-:a)`, `(?x:a)`, `(?:a`, `(?=a)*`, `(?<=a)+`, `^*`, `$?`, `\b+`,
		`[/]`, `[a-]`, `[-a]`, `[(]`, `[a&&&b]`, `[a&&b--c]`, `[a--]`, `[a-z&&b]`, `[b-a]`, `[\d-z]`, `[a|b]`,
		`[a!!b]`, `\p{Foo}`, `\p{Script=Foo}`, `\p{L`, `\pL`,
	} {
		if _, err := translate(src, false); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

// TestRegexpUnsupported lists valid ECMAScript that the translation
// rejects (a TypeError from the constructor) rather than get wrong.
func TestRegexpUnsupported(t *testing.T) {
	for _, src := range []string{
		`[\q{ab}]`,                   // class strings longer than one code point
		`\p{Script_Extensions=Latn}`, // no Script_Extensions tables in Go
		`\p{RGI_Emoji}`,              // properties of strings
	} {
		if _, err := translate(src, false); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

// TestBacktrackTimeout: a custom group that backtracks exponentially on a
// hostile input stops at the timeout and does not match. (Without the
// timeout this input takes hours; 30 a's take 10 s.)
func TestBacktrackTimeout(t *testing.T) {
	defer func(d time.Duration) { backtrackTimeout = d }(backtrackTimeout)
	backtrackTimeout = 20 * time.Millisecond
	p, err := FromInit(Init{Pathname: ptr("/:x((?=.)(?:a|aa)*(?:a|aa)*)")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if p.Test("https://example.com/"+strings.Repeat("a", 40)+"!", nil) {
		t.Error("matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if !p.Test("https://example.com/aaaaa", nil) {
		t.Error("a short input no longer matches")
	}
}
