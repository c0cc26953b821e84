package js

import (
	"testing"
)

func TestDecodeUTF8(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"valid", "héllo €𝄞", "héllo €𝄞"},
		{"BOM kept", "\xEF\xBB\xBFa", "\uFEFFa"},
		{"truncated 3-byte sequence is one U+FFFD", "\xE2\x82A", "\uFFFDA"},
		{"lone continuation bytes each", "\x80\x80", "\uFFFD\uFFFD"},
		{"overlong lead E0 80", "\xE0\x80\x80", "\uFFFD\uFFFD\uFFFD"},
		{"F0 80 80: F0 needs 90..BF", "\xF0\x80\x80", "\uFFFD\uFFFD\uFFFD"},
		{"surrogate ED A0 80", "\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"above U+10FFFF", "\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"truncated 4-byte at end", "a\xF0\x9F\x98", "a\uFFFD"},
		{"C0 and FF are never leads", "\xC0\xAF\xFF", "\uFFFD\uFFFD\uFFFD"},
		{"real U+FFFD stays", "\uFFFD\xFF", "\uFFFD\uFFFD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DecodeUTF8([]byte(c.in)); got != c.want {
				t.Errorf("DecodeUTF8(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestUTF8PartialSuffix(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 0},
		{"a\xE2", 1},
		{"a\xE2\x82", 2},
		{"a\xE2\x82\xAC", 0}, // complete €
		{"\xF0\x9F\x98", 3},
		{"\xF0\x9F", 2},
		{"\xE0\x80", 0}, // E0 80 can never complete
		{"\xED\xA0", 0}, // would be a surrogate
		{"\xF4\x90", 0}, // would exceed U+10FFFF
		{"\x80", 0},
		{"\x80\x80\x80", 0},
		{"é\xC3", 1},
	}
	for _, c := range cases {
		if got := UTF8PartialSuffix([]byte(c.in)); got != c.want {
			t.Errorf("UTF8PartialSuffix(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
