package urlpattern

import (
	"strings"

	wu "github.com/nlnwa/whatwg-url/url"
)

// Component indexes the eight URL components in the standard's order.
type Component uint8

const (
	cProtocol Component = iota
	cUsername
	cPassword
	cHostname
	cPort
	cPathname
	cSearch
	cHash
	nComponents
)

var componentNames = [nComponents]string{"protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"}

func (c Component) String() string { return componentNames[c] }

// Init is a URLPatternInit dictionary: a nil field is absent.
type Init struct {
	Protocol, Username, Password, Hostname, Port, Pathname, Search, Hash, BaseURL *string
}

// initRec is the working form of a URLPatternInit: values by component,
// with a presence bit each.
type initRec struct {
	v       [nComponents]string
	has     uint8
	baseURL string
	hasBase bool
}

func (r *initRec) set(c Component, v string) {
	r.v[c] = v
	r.has |= 1 << c
}

func (r *initRec) present(c Component) bool { return r.has&(1<<c) != 0 }

// anyOf reports whether any of cs is present.
func (r *initRec) anyOf(cs ...Component) bool {
	for _, c := range cs {
		if r.present(c) {
			return true
		}
	}
	return false
}

func (in Init) rec() initRec {
	var r initRec
	for c, p := range [nComponents]*string{in.Protocol, in.Username, in.Password, in.Hostname, in.Port, in.Pathname, in.Search, in.Hash} {
		if p != nil {
			r.set(Component(c), *p)
		}
	}
	if in.BaseURL != nil {
		r.baseURL, r.hasBase = *in.BaseURL, true
	}
	return r
}

// processInit is "process a URLPatternInit". forURL selects the "url" type
// (canonicalise the values, every component present, defaulting to "");
// otherwise the "pattern" type (keep values as patterns, absent stays
// absent).
func processInit(in *initRec, forURL bool) (initRec, error) {
	var res initRec
	if forURL {
		res.has = 1<<nComponents - 1
	}
	baseString := func(s string) string {
		if forURL {
			return s
		}
		return escapePatternString(s)
	}
	var base *wu.Url
	if in.hasBase {
		b, err := urlParser.Parse(in.baseURL)
		if err != nil {
			return res, syntaxErrorf("invalid base URL %q", in.baseURL)
		}
		base = b
		if !in.present(cProtocol) {
			res.set(cProtocol, baseString(base.Scheme()))
		}
		if forURL && !in.anyOf(cProtocol, cHostname, cPort, cUsername) {
			res.set(cUsername, baseString(base.Username()))
		}
		if forURL && !in.anyOf(cProtocol, cHostname, cPort, cUsername, cPassword) {
			res.set(cPassword, baseString(base.Password()))
		}
		if !in.anyOf(cProtocol, cHostname) {
			res.set(cHostname, baseString(base.Hostname()))
		}
		if !in.anyOf(cProtocol, cHostname, cPort) {
			res.set(cPort, base.Port())
		}
		if !in.anyOf(cProtocol, cHostname, cPort, cPathname) {
			res.set(cPathname, baseString(base.Pathname()))
		}
		if !in.anyOf(cProtocol, cHostname, cPort, cPathname, cSearch) {
			res.set(cSearch, baseString(base.Query()))
		}
		if !in.anyOf(cProtocol, cHostname, cPort, cPathname, cSearch, cHash) {
			res.set(cHash, baseString(base.Fragment()))
		}
	}
	if in.present(cProtocol) {
		v := strings.TrimSuffix(in.v[cProtocol], ":")
		if forURL {
			var err error
			if v, err = canonProtocol(v); err != nil {
				return res, err
			}
		}
		res.set(cProtocol, v)
	}
	for _, c := range []Component{cUsername, cPassword, cHostname} {
		if !in.present(c) {
			continue
		}
		v := in.v[c]
		if forURL {
			var err error
			switch c {
			case cUsername:
				v, err = canonUsername(v)
			case cPassword:
				v, err = canonPassword(v)
			case cHostname:
				v, err = canonHostname(v)
			}
			if err != nil {
				return res, err
			}
		}
		res.set(c, v)
	}
	protocol := ""
	if res.present(cProtocol) {
		protocol = res.v[cProtocol]
	}
	if in.present(cPort) {
		v := in.v[cPort]
		if forURL {
			var err error
			if v, err = canonPort(v, protocol); err != nil {
				return res, err
			}
		}
		res.set(cPort, v)
	}
	if in.present(cPathname) {
		v := in.v[cPathname]
		if base != nil && !base.OpaquePath() && !isAbsolutePathname(v, forURL) {
			basePath := baseString(base.Pathname())
			if slash := strings.LastIndexByte(basePath, '/'); slash >= 0 {
				v = basePath[:slash+1] + v
			}
		}
		if forURL {
			var err error
			if protocol == "" || isSpecialScheme(protocol) {
				v, err = canonPathname(v)
			} else {
				v, err = canonOpaquePathname(v)
			}
			if err != nil {
				return res, err
			}
		}
		res.set(cPathname, v)
	}
	if in.present(cSearch) {
		v := strings.TrimPrefix(in.v[cSearch], "?")
		if forURL {
			var err error
			if v, err = canonSearch(v); err != nil {
				return res, err
			}
		}
		res.set(cSearch, v)
	}
	if in.present(cHash) {
		v := strings.TrimPrefix(in.v[cHash], "#")
		if forURL {
			var err error
			if v, err = canonHash(v); err != nil {
				return res, err
			}
		}
		res.set(cHash, v)
	}
	return res, nil
}

// isAbsolutePathname is "is an absolute pathname".
func isAbsolutePathname(s string, forURL bool) bool {
	if s == "" {
		return false
	}
	if s[0] == '/' {
		return true
	}
	if forURL || len(s) < 2 {
		return false
	}
	return (s[0] == '\\' || s[0] == '{') && s[1] == '/'
}
