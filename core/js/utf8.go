package js

import (
	"strings"
	"unicode/utf8"
)

// DecodeUTF8 is the Encoding Standard's "UTF-8 decode without BOM": bytes that
// are not valid UTF-8 become U+FFFD, one per maximal subpart of an ill-formed
// sequence (E2 82 41 → "\uFFFDA"; F0 80 80 → three U+FFFD). Go's own
// conversions differ: range over a string yields one U+FFFD per bad byte, and
// strings.ToValidUTF8 one per run. Valid input is returned without a scan
// beyond utf8.Valid. A leading BOM is kept.
func DecodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[i : i+n])
			i += n
			continue
		}
		i += utf8MaximalSubpart(b[i:])
		sb.WriteString("\uFFFD")
	}
	return sb.String()
}

// UTF8PartialSuffix returns the length (0 to 3) of the longest suffix of b
// that is the start of a well-formed UTF-8 sequence still missing bytes. A
// streaming decoder keeps that many bytes for the next chunk instead of
// replacing them.
func UTF8PartialSuffix(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		start := len(b) - k
		need, lo, hi := utf8Lead(b[start])
		if need == 0 {
			if b[start] >= 0x80 && b[start] <= 0xBF {
				continue // a continuation byte: look further back for its lead
			}
			return 0
		}
		if k > need {
			return 0 // the sequence is complete (or over-long): nothing pending
		}
		for j := start + 1; j < len(b); j++ {
			if b[j] < lo || b[j] > hi {
				return 0
			}
			lo, hi = 0x80, 0xBF
		}
		return k
	}
	return 0
}

// utf8MaximalSubpart returns how many bytes the WHATWG UTF-8 decoder consumes
// from b, which starts with an ill-formed or truncated sequence, before it
// emits one U+FFFD.
func utf8MaximalSubpart(b []byte) int {
	need, lo, hi := utf8Lead(b[0])
	if need == 0 {
		return 1
	}
	for k := 1; k <= need; k++ {
		if k >= len(b) || b[k] < lo || b[k] > hi {
			return k
		}
		lo, hi = 0x80, 0xBF
	}
	return need + 1
}

// utf8Lead returns how many continuation bytes the lead byte c needs and the
// range the first of them must fall in (the Encoding Standard's UTF-8 lower
// and upper boundaries); need is 0 when c cannot start a multi-byte sequence.
func utf8Lead(c byte) (need int, lo, hi byte) {
	switch {
	case c >= 0xC2 && c <= 0xDF:
		return 1, 0x80, 0xBF
	case c == 0xE0:
		return 2, 0xA0, 0xBF
	case c == 0xED:
		return 2, 0x80, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		return 2, 0x80, 0xBF
	case c == 0xF0:
		return 3, 0x90, 0xBF
	case c == 0xF4:
		return 3, 0x80, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		return 3, 0x80, 0xBF
	}
	return 0, 0, 0
}
