package urlpattern

import "testing"

// FuzzPattern compiles arbitrary patterns, as a constructor string and as
// each component of an init, and matches them against arbitrary input: no
// input may panic, and test() must agree with exec().
func FuzzPattern(f *testing.F) {
	for _, s := range []string{
		"https://*.example.com/:id", "/:a(\\d+)/:b?", "{/:x}*", "(a(?=b))", "\\:[::1]", ":a(\\1)", "((?<n>a)\\k<n>)",
		"/([[a-z]--a])", "*{}**?", "data\\:foo", "[\\:\\:AB\\::num]", "http{s}?://{*.}?x.com/(.*)", "#(?i:x)", "(?s:.)",
	} {
		f.Add(s, "https://example.com/a/b?c#d")
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		var ps []*Pattern
		if p, err := New(pattern, Options{}); err == nil {
			ps = append(ps, p)
		}
		if p, err := NewWithBase(pattern, "https://example.com/base/", Options{IgnoreCase: true}); err == nil {
			ps = append(ps, p)
		}
		for c := range nComponents {
			var in Init
			fields := [nComponents]**string{&in.Protocol, &in.Username, &in.Password, &in.Hostname, &in.Port, &in.Pathname, &in.Search, &in.Hash}
			*fields[c] = &pattern
			if p, err := FromInit(in, Options{}); err == nil {
				ps = append(ps, p)
			}
		}
		for _, p := range ps {
			r := p.Exec(input, nil)
			if p.Test(input, nil) != (r != nil) {
				t.Fatalf("pattern %q, input %q: test and exec disagree", pattern, input)
			}
			p.ExecInit(Init{Pathname: &input, BaseURL: &input})
		}
	})
}
