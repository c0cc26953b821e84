package urlpattern

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// FuzzCanonicalValues checks that whenever canonicalValues takes its fast
// path, the URL parser agrees: the URL parses, serialises back to the same
// string, and has the same components.
func FuzzCanonicalValues(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "http://example.com:8080/a/b?c=d#e", "https://a.b-c.example/x%20y?q#",
		"https://example.com:443/", "http://example.com:80/", "https://example.com:0/", "https://example.com:65536/",
		"https://Example.com/", "https://example.com", "https://example.com?q", "https://1.2.3.4/", "https://a.0x7f/",
		"https://xn--caf-dma.com/", "https://user@example.com/", "https://example.com/./a", "https://example.com/a/..",
		"https://example.com/%2e/", "https://example.com/.well-known/x", "https://example.com/a b", "https://example.com/a\\b",
		"https://example.com/%zz", "https://example.com/?q='", "https://example.com/#a`b", "https://example.com/^",
		"https://example.com/é", "https://example..com/", "https://example.com./", "https://-a-.b/", "https://example.com/a?b?c#d#e",
		"https://ferry-host-6162.com/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := canonicalValues(s)
		if !ok {
			return
		}
		u, err := urlParser.Parse(s)
		if err != nil {
			t.Fatalf("%q: fast path accepted a URL the parser rejects: %v", s, err)
		}
		if href := u.Href(false); href != s {
			t.Fatalf("%q: fast path accepted a URL the parser changes to %q", s, href)
		}
		if want := valuesOfURL(u); v != want {
			t.Fatalf("%q: fast path %q, parser %q", s, v, want)
		}
	})
}

// TestCanonicalValuesTakesCommonURLs makes sure the fast path is taken
// for the request URLs it exists for.
func TestCanonicalValuesTakesCommonURLs(t *testing.T) {
	for _, s := range []string{
		"https://example.com/", "http://127-0-0-1.example:8787/api/users/42?sort=asc&page=2#top",
		"https://example.com/.well-known/acme-challenge/x", "https://example.com/a%20b/%E2%9C%93",
	} {
		if _, ok := canonicalValues(s); !ok {
			t.Errorf("%q: not taken", s)
		}
	}
	for _, s := range []string{"http://localhost:8787/", "https://example.com/a/../b", "https://EXAMPLE.com/"} {
		_, ok := canonicalValues(s)
		if s == "http://localhost:8787/" && !ok {
			t.Errorf("%q: not taken", s)
		}
		if s != "http://localhost:8787/" && ok {
			t.Errorf("%q: taken", s)
		}
	}
}

// TestCanonicalValuesRandom builds URLs from pieces the parser treats
// specially and checks the fast path against the parser on each.
func TestCanonicalValuesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	// piece is mostly plain letters, with a tricky piece one time in four.
	piece := func(tricky ...string) string {
		var b strings.Builder
		for range rng.IntN(8) {
			if rng.IntN(4) == 0 {
				b.WriteString(pick(tricky...))
			} else {
				b.WriteString(pick("a", "b", "z", "0", "9", "/"))
			}
		}
		return b.String()
	}
	chars := []string{"a", "Z", "0", "9", "-", ".", "..", "%", "%2e", "%2E", "%41", "%g", "/", "?", "#", "'", "\"", "`", "^",
		"{", "}", "<", ">", "\\", " ", "\t", "é", "@", ":", "[", "]", "|", "~", "!", "$", "&", "(", "*", "+", ",", ";", "=", "xn--"}
	taken := 0
	for range 50000 {
		s := pick("http://", "https://", "HTTP://", "ftp://", "https:/") +
			pick("", "x.", "1.") + pick("a", "b") + piece("-", ".", "xn--", "A", "0x", "@", "é", "", "1") +
			pick("", ":", ":80", ":443", ":8080", ":0", ":65535", ":65536", ":099999") +
			pick("", "/") + piece(chars...) + pick("", "?"+piece(chars...)) + pick("", "#"+piece(chars...))
		v, ok := canonicalValues(s)
		if !ok {
			continue
		}
		taken++
		u, err := urlParser.Parse(s)
		if err != nil {
			t.Fatalf("%q: fast path accepted a URL the parser rejects: %v", s, err)
		}
		if href := u.Href(false); href != s {
			t.Fatalf("%q: fast path accepted a URL the parser changes to %q", s, href)
		}
		if want := valuesOfURL(u); v != want {
			t.Fatalf("%q: fast path %q, parser %q", s, v, want)
		}
	}
	t.Logf("fast path taken for %d of 50000 URLs", taken)
	if taken < 1000 {
		t.Errorf("fast path taken for only %d URLs", taken)
	}
}
