package urlpattern

import (
	"regexp"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// matchKind selects how a compiled component matches. The standard always
// runs a regular expression; the fast paths give the same answers for the
// two most common components without one.
type matchKind uint8

const (
	matchRE2       matchKind = iota // Go's regexp
	matchBacktrack                  // regexp2, for what RE2 cannot do
	matchExact                      // no groups, no modifiers: the input equals the text
	matchAnything                   // "*" alone: group "0" is the whole input
)

// compiled is one component of a URLPattern: its normalised pattern
// string, group names and matcher. It is immutable, so runtimes may share it.
type compiled struct {
	pattern         string
	names           []string
	hasRegexpGroups bool
	regexpSource    string // the standard's regular expression, for errors and tests
	kind            matchKind
	exact           string
	re              *regexp.Regexp
	bt              *regexp2.Regexp
	groups          []int // output capture group of each name
	checks          []emptyCheck
}

// group is one matched group: ok is false for a group that did not
// participate (JS undefined).
type group struct {
	value string
	ok    bool
}

// compileComponent is "compile a component".
func compileComponent(input string, encode encodeFunc, opts options) (*compiled, error) {
	parts, err := parsePattern(input, opts, encode)
	if err != nil {
		return nil, err
	}
	src, names := generateRegexp(parts, opts)
	c := &compiled{
		pattern:      generatePatternString(parts, opts),
		names:        names,
		regexpSource: src,
	}
	for i := range parts {
		if parts[i].typ == partRegexp {
			c.hasRegexpGroups = true
		}
	}
	switch {
	case len(parts) == 0:
		c.kind = matchExact
	case len(parts) == 1 && parts[0].modifier == modNone && parts[0].typ == partFixed && !opts.ignoreCase:
		c.kind, c.exact = matchExact, parts[0].value
	case len(parts) == 1 && parts[0].modifier == modNone && parts[0].typ == partFullWildcard &&
		parts[0].prefix == "" && parts[0].suffix == "":
		c.kind = matchAnything
	}
	if err := c.compileRegexp(src, opts.ignoreCase); err != nil {
		return nil, err
	}
	return c, nil
}

// compileRegexp checks src, the standard's regular expression, and
// compiles it for the engine it needs, unless c already has a fast path
// (the check still runs, as RegExpCreate would).
func (c *compiled) compileRegexp(src string, ignoreCase bool) error {
	return c.compileRegexpFor(src, ignoreCase, testForceBacktrack)
}

// testForceBacktrack sends every regular expression to regexp2; tests set
// it to check that both engines give the same answers.
var testForceBacktrack = false

func (c *compiled) compileRegexpFor(src string, ignoreCase, forceBacktrack bool) error {
	tr, err := translate(src, forceBacktrack)
	if err != nil {
		return err
	}
	c.groups, c.checks = tr.groups, tr.checks
	switch {
	case c.kind == matchExact || c.kind == matchAnything:
	case tr.engine == engineRE2:
		c.kind = matchRE2
		out := tr.src
		if ignoreCase {
			out = "(?i)" + out
		}
		if c.re, err = regexp.Compile(out); err != nil {
			return syntaxErrorf("invalid regular expression %s: %v", src, err)
		}
	default:
		c.kind = matchBacktrack
		var o regexp2.RegexOptions
		if ignoreCase {
			o |= regexp2.IgnoreCase
		}
		if c.bt, err = regexp2.Compile(tr.src, o); err != nil {
			return syntaxErrorf("invalid regular expression %s: %v", src, err)
		}
		c.bt.MatchTimeout = backtrackTimeout
	}
	return nil
}

// backtrackTimeout bounds one regexp2 match. A backtracking engine can take
// exponential time on hostile input (a request URL), and a match running
// in Go cannot be interrupted by the CPU limit; one that runs out of time
// does not match. (regexp2 keeps a clock goroutine while timeouts are in
// use, stopping a second after the last deadline.)
var backtrackTimeout = time.Second

// lineTerminatorChars are what the full wildcard's "." does not match.
const lineTerminatorChars = "\n\r\u2028\u2029"

// test reports whether the component matches s.
func (c *compiled) test(s string) bool {
	switch c.kind {
	case matchExact:
		return s == c.exact
	case matchAnything:
		return !strings.ContainsAny(s, lineTerminatorChars)
	case matchRE2:
		return c.re.MatchString(s)
	}
	m, err := c.bt.FindStringMatch(s)
	return err == nil && m != nil
}

// exec matches s and returns the value of each named group (appended to
// dst), or ok false.
func (c *compiled) exec(s string, dst []group) ([]group, bool) {
	switch c.kind {
	case matchExact:
		return dst, s == c.exact
	case matchAnything:
		if strings.ContainsAny(s, lineTerminatorChars) {
			return dst, false
		}
		return append(dst, group{s, true}), true
	case matchRE2:
		loc := c.re.FindStringSubmatchIndex(s)
		if loc == nil {
			return dst, false
		}
		start := len(dst)
		for _, g := range c.groups {
			if lo := loc[2*g]; lo >= 0 {
				dst = append(dst, group{s[lo:loc[2*g+1]], true})
			} else {
				dst = append(dst, group{})
			}
		}
		for _, ch := range c.checks {
			if lo := loc[2*ch.group]; lo >= 0 && lo == loc[2*ch.group+1] {
				for _, i := range ch.inner {
					dst[start+i] = group{}
				}
			}
		}
		return dst, true
	}
	m, err := c.bt.FindStringMatch(s)
	if err != nil || m == nil {
		return dst, false
	}
	start := len(dst)
	for _, g := range c.groups {
		grp := m.GroupByNumber(g)
		if grp == nil || len(grp.Captures) == 0 {
			dst = append(dst, group{})
			continue
		}
		dst = append(dst, group{grp.String(), true})
	}
	for _, ch := range c.checks {
		if grp := m.GroupByNumber(ch.group); grp != nil && len(grp.Captures) > 0 && grp.RuneLength == 0 {
			for _, i := range ch.inner {
				dst[start+i] = group{}
			}
		}
	}
	return dst, true
}

// matchesSpecialScheme is "protocol component matches a special scheme".
func (c *compiled) matchesSpecialScheme() bool {
	for s := range specialSchemes {
		if c.test(s) {
			return true
		}
	}
	return false
}
