// Package urlpattern implements the WHATWG URL Pattern Standard
// (https://urlpattern.spec.whatwg.org/) in Go and installs URLPattern on
// goja runtimes.
//
// A pattern is compiled once — tokenised, parsed into parts, turned into
// one regular expression per URL component — and then matched any number
// of times without compiling again. Fixed text is canonicalised with the
// same WHATWG URL parser core/webapi/url uses.
//
//	p, _ := urlpattern.New("https://example.com/books/:id", urlpattern.Options{})
//	r := p.Exec("https://example.com/books/123", nil)
//	r.Components[urlpattern.Pathname].Groups // [{id 123 true}]
//
// Patterns are immutable and safe for concurrent use.
package urlpattern

import (
	"strings"

	wu "github.com/nlnwa/whatwg-url/url"
)

// The components, in the standard's order.
const (
	Protocol = cProtocol
	Username = cUsername
	Password = cPassword
	Hostname = cHostname
	Port     = cPort
	Pathname = cPathname
	Search   = cSearch
	Hash     = cHash
)

// Options are URLPatternOptions.
type Options struct {
	// IgnoreCase matches pathname, search and hash case-insensitively.
	IgnoreCase bool
}

// Pattern is a compiled URLPattern.
type Pattern struct {
	comps           [nComponents]*compiled
	hasRegexpGroups bool
}

// New compiles a constructor string such as "https://*.example.com/:id"
// without a base URL: the string must name a protocol.
func New(pattern string, opts Options) (*Pattern, error) {
	return create(pattern, nil, nil, opts)
}

// NewWithBase compiles a constructor string relative to baseURL.
func NewWithBase(pattern, baseURL string, opts Options) (*Pattern, error) {
	return create(pattern, &baseURL, nil, opts)
}

// FromInit compiles a URLPatternInit.
func FromInit(init Init, opts Options) (*Pattern, error) {
	r := init.rec()
	return create("", nil, &r, opts)
}

// create is "create a URL pattern": input is a constructor string unless
// init is given.
func create(input string, baseURL *string, init *initRec, opts Options) (*Pattern, error) {
	var in initRec
	if init == nil {
		var err error
		if in, err = parseConstructorString(input); err != nil {
			return nil, err
		}
		if baseURL == nil && !in.present(cProtocol) {
			return nil, syntaxErrorf("relative pattern %q needs a base URL", input)
		}
		if baseURL != nil {
			in.baseURL, in.hasBase = *baseURL, true
		}
	} else {
		if baseURL != nil {
			return nil, syntaxErrorf("a base URL is not allowed with a URLPatternInit (use its baseURL member)")
		}
		in = *init
	}
	processed, err := processInit(&in, false)
	if err != nil {
		return nil, err
	}
	for c := range nComponents {
		if !processed.present(c) {
			processed.set(c, "*")
		}
	}
	if def, ok := specialSchemes[processed.v[cProtocol]]; ok && processed.v[cPort] == def {
		processed.v[cPort] = ""
	}
	p := &Pattern{}
	compile := func(c Component, encode encodeFunc, o options) error {
		comp, err := compileComponent(processed.v[c], encode, o)
		if err != nil {
			return syntaxErrorf("Invalid %s pattern %q: %s", c, processed.v[c], strings.TrimPrefix(err.Error(), "invalid regular expression: "))
		}
		p.comps[c] = comp
		p.hasRegexpGroups = p.hasRegexpGroups || comp.hasRegexpGroups
		return nil
	}
	if err := compile(cProtocol, canonProtocol, defaultOptions); err != nil {
		return nil, err
	}
	if err := compile(cUsername, canonUsername, defaultOptions); err != nil {
		return nil, err
	}
	if err := compile(cPassword, canonPassword, defaultOptions); err != nil {
		return nil, err
	}
	hostEncode := canonHostname
	if isIPv6Pattern(processed.v[cHostname]) {
		hostEncode = canonIPv6Hostname
	}
	if err := compile(cHostname, hostEncode, hostnameOptions); err != nil {
		return nil, err
	}
	if err := compile(cPort, canonPortNoProtocol, defaultOptions); err != nil {
		return nil, err
	}
	compileOpts := defaultOptions
	compileOpts.ignoreCase = opts.IgnoreCase
	if p.comps[cProtocol].matchesSpecialScheme() {
		pathOpts := pathnameOptions
		pathOpts.ignoreCase = opts.IgnoreCase
		if err := compile(cPathname, canonPathname, pathOpts); err != nil {
			return nil, err
		}
	} else if err := compile(cPathname, canonOpaquePathname, compileOpts); err != nil {
		return nil, err
	}
	if err := compile(cSearch, canonSearch, compileOpts); err != nil {
		return nil, err
	}
	if err := compile(cHash, canonHash, compileOpts); err != nil {
		return nil, err
	}
	return p, nil
}

// isIPv6Pattern is "hostname pattern is an IPv6 address".
func isIPv6Pattern(s string) bool {
	if len(s) < 2 {
		return false
	}
	return s[0] == '[' || (s[0] == '{' || s[0] == '\\') && s[1] == '['
}

// Component returns the normalised pattern string of component c.
func (p *Pattern) Component(c Component) string { return p.comps[c].pattern }

// HasRegExpGroups reports whether any component uses a custom regular
// expression group.
func (p *Pattern) HasRegExpGroups() bool { return p.hasRegexpGroups }

// Group is one named group of a match. Matched is false for an optional
// group that did not take part (undefined in JS).
type Group struct {
	Name, Value string
	Matched     bool
}

// ComponentResult is URLPatternComponentResult.
type ComponentResult struct {
	Input  string
	Groups []Group
}

// Result is URLPatternResult, without the inputs.
type Result struct {
	Components [nComponents]ComponentResult
}

// urlValues are the eight component strings of a URL to match.
type urlValues [nComponents]string

// valuesOfURL reads the components of a parsed URL as the match algorithm
// does.
func valuesOfURL(u *wu.Url) urlValues {
	return urlValues{u.Scheme(), u.Username(), u.Password(), u.Hostname(), u.Port(), u.Pathname(), u.Query(), u.Fragment()}
}

// stringValues parses input (against baseURL when given) for matching; ok
// is false when either fails to parse, which is no match, not an error.
func stringValues(input string, baseURL *string) (v urlValues, ok bool) {
	if baseURL == nil {
		if v, ok := canonicalValues(input); ok {
			return v, true
		}
	}
	var u *wu.Url
	var err error
	if baseURL != nil {
		base, err := urlParser.Parse(*baseURL)
		if err != nil {
			return v, false
		}
		u, err = base.Parse(input)
		if err != nil {
			return v, false
		}
	} else if u, err = urlParser.Parse(input); err != nil {
		return v, false
	}
	return valuesOfURL(u), true
}

// initValues processes a URLPatternInit for matching; ok is false when it
// fails to canonicalise, which is no match.
func initValues(in *initRec) (v urlValues, ok bool) {
	r, err := processInit(in, true)
	if err != nil {
		return v, false
	}
	return r.v, true
}

// test matches all eight components.
func (p *Pattern) test(v *urlValues) bool {
	for c := range nComponents {
		if !p.comps[c].test(v[c]) {
			return false
		}
	}
	return true
}

// exec matches all eight components and returns the groups of all of them
// in one slice, with the end offset of each component's groups.
func (p *Pattern) exec(v *urlValues, dst []group) (groups []group, ends [nComponents]int, ok bool) {
	groups = dst
	for c := range nComponents {
		if groups, ok = p.comps[c].exec(v[c], groups); !ok {
			return groups[:0], ends, false
		}
		ends[c] = len(groups)
	}
	return groups, ends, true
}

func (p *Pattern) result(v *urlValues, groups []group, ends [nComponents]int) *Result {
	r := &Result{}
	start := 0
	for c := range nComponents {
		cr := &r.Components[c]
		cr.Input = v[c]
		names := p.comps[c].names
		for i, g := range groups[start:ends[c]] {
			cr.Groups = append(cr.Groups, Group{Name: names[i], Value: g.value, Matched: g.ok})
		}
		start = ends[c]
	}
	return r
}

// Test reports whether the URL input (resolved against baseURL when not
// nil) matches. A URL that does not parse does not match.
func (p *Pattern) Test(input string, baseURL *string) bool {
	v, ok := stringValues(input, baseURL)
	return ok && p.test(&v)
}

// Exec matches the URL input (resolved against baseURL when not nil) and
// returns the components and groups, or nil when it does not match.
func (p *Pattern) Exec(input string, baseURL *string) *Result {
	v, ok := stringValues(input, baseURL)
	if !ok {
		return nil
	}
	groups, ends, ok := p.exec(&v, nil)
	if !ok {
		return nil
	}
	return p.result(&v, groups, ends)
}

// ExecInit matches a URLPatternInit, as exec({pathname: …}) does.
func (p *Pattern) ExecInit(init Init) *Result {
	r := init.rec()
	v, ok := initValues(&r)
	if !ok {
		return nil
	}
	groups, ends, ok := p.exec(&v, nil)
	if !ok {
		return nil
	}
	return p.result(&v, groups, ends)
}
