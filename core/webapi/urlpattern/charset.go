package urlpattern

import (
	"slices"
	"unicode"
)

// charSet is a set of code points as sorted, non-overlapping, non-adjacent
// inclusive ranges [lo0, hi0, lo1, hi1, …]. The regular expression
// translator resolves every JavaScript class (escapes, properties, v-mode
// set operations) to one of these, so the engines see only plain ranges.
type charSet []rune

const maxRune = unicode.MaxRune

func singleton(r rune) charSet { return charSet{r, r} }

func rangeSet(lo, hi rune) charSet { return charSet{lo, hi} }

// normalize sorts and merges the ranges in place.
func (s charSet) normalize() charSet {
	if len(s) <= 2 {
		return s
	}
	type rng struct{ lo, hi rune }
	rs := make([]rng, 0, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		rs = append(rs, rng{s[i], s[i+1]})
	}
	slices.SortFunc(rs, func(a, b rng) int { return int(a.lo - b.lo) })
	out := s[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1]+1 {
			if r.hi > out[n-1] {
				out[n-1] = r.hi
			}
			continue
		}
		out = append(out, r.lo, r.hi)
	}
	return out
}

func union(a, b charSet) charSet {
	out := make(charSet, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	return out.normalize()
}

func complement(a charSet) charSet {
	out := charSet{}
	next := rune(0)
	for i := 0; i < len(a); i += 2 {
		if a[i] > next {
			out = append(out, next, a[i]-1)
		}
		next = a[i+1] + 1
	}
	if next <= maxRune {
		out = append(out, next, maxRune)
	}
	return out
}

func intersect(a, b charSet) charSet {
	out := charSet{}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i], b[j]), min(a[i+1], b[j+1])
		if lo <= hi {
			out = append(out, lo, hi)
		}
		if a[i+1] < b[j+1] {
			i += 2
		} else {
			j += 2
		}
	}
	return out
}

func subtract(a, b charSet) charSet { return intersect(a, complement(b)) }

// fromTable converts a unicode.RangeTable.
func fromTable(t *unicode.RangeTable) charSet {
	var out charSet
	for _, r := range t.R16 {
		if r.Stride == 1 {
			out = append(out, rune(r.Lo), rune(r.Hi))
			continue
		}
		for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
			out = append(out, c, c)
		}
	}
	for _, r := range t.R32 {
		if r.Stride == 1 {
			out = append(out, rune(r.Lo), rune(r.Hi))
			continue
		}
		for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
			out = append(out, c, c)
		}
	}
	return out.normalize()
}

// JavaScript's character class escapes.
var (
	digitSet = charSet{'0', '9'}
	wordSet  = charSet{'0', '9', 'A', 'Z', '_', '_', 'a', 'z'}
	// spaceSet is WhiteSpace and LineTerminator.
	spaceSet = charSet{
		'\t', '\r', ' ', ' ', 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A,
		0x2028, 0x2029, 0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF,
	}
	// lineTerminators are what "." does not match.
	lineTerminators = charSet{'\n', '\n', '\r', '\r', 0x2028, 0x2029}
)
