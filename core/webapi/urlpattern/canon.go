package urlpattern

import (
	"strings"
	"sync"

	wu "github.com/nlnwa/whatwg-url/url"

	"github.com/ferry-run/ferry/core/webapi/url"
)

// The standard's canonicalisation callbacks. Each runs the WHATWG URL
// parser (the one core/webapi/url uses, so URL and URLPattern agree) from
// the state the standard names, on a throwaway URL record.

// urlParser is shared by every runtime; it holds only options.
var urlParser = url.Parser()

// specialSchemes maps each special scheme to its default port.
var specialSchemes = map[string]string{
	"ftp": "21", "file": "", "http": "80", "https": "443", "ws": "80", "wss": "443",
}

func isSpecialScheme(s string) bool {
	_, ok := specialSchemes[s]
	return ok
}

// dummies are parsed "<special scheme>://dummy.test" URLs, cloned as the
// starting record of parses that need a special scheme.
var (
	dummiesOnce sync.Once
	dummies     map[string]*wu.Url
)

func dummyURL(scheme string) *wu.Url {
	dummiesOnce.Do(func() {
		dummies = map[string]*wu.Url{}
		for s := range specialSchemes {
			u, err := urlParser.Parse(s + "://dummy.test")
			if err != nil {
				panic(err)
			}
			dummies[s] = u
		}
	})
	if u, ok := dummies[scheme]; ok {
		return u.Clone()
	}
	return urlParser.NewUrl()
}

func invalid(Component, value string) error {
	return syntaxErrorf("invalid %s %q", Component, value)
}

// canonProtocol is "canonicalize a protocol".
func canonProtocol(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u, err := urlParser.Parse(v + "://dummy.test")
	if err != nil {
		return "", invalid("protocol", v)
	}
	return u.Scheme(), nil
}

// canonUsername is "canonicalize a username".
func canonUsername(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	return urlParser.PercentEncodeString(v, wu.UserInfoPercentEncodeSet), nil
}

// canonPassword is "canonicalize a password".
func canonPassword(v string) (string, error) { return canonUsername(v) }

// canonHostname is "canonicalize a hostname". Like other implementations
// it parses with a special scheme, so domains go through IDNA and "\"
// ends the host, and a ":" outside brackets fails (the URL Standard's
// hostname state returns failure there).
func canonHostname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	bracket := false
scan:
	for _, r := range v {
		switch r {
		case '[':
			bracket = true
		case ']':
			bracket = false
		case ':':
			if !bracket {
				return "", invalid("hostname", v)
			}
		case '/', '?', '#', '\\':
			break scan
		}
	}
	u := dummyURL("https")
	if _, err := urlParser.BasicParser(v, nil, u, wu.StateHostname); err != nil {
		return "", invalid("hostname", v)
	}
	return u.Hostname(), nil
}

// canonIPv6Hostname is "canonicalize an IPv6 hostname".
func canonIPv6Hostname(v string) (string, error) {
	var b strings.Builder
	for _, r := range v {
		if !(r == '[' || r == ']' || r == ':' || hexVal(r) >= 0) {
			return "", invalid("IPv6 hostname", v)
		}
		if 'A' <= r && r <= 'F' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// canonPort is "canonicalize a port" with an optional protocol (empty: none).
func canonPort(v, protocol string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := dummyURL(protocol)
	if _, err := urlParser.BasicParser(v, nil, u, wu.StatePort); err != nil {
		return "", invalid("port", v)
	}
	return u.Port(), nil
}

func canonPortNoProtocol(v string) (string, error) { return canonPort(v, "") }

// canonPathname is "canonicalize a pathname".
func canonPathname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	leadingSlash := v[0] == '/'
	modified := v
	if !leadingSlash {
		modified = "/-" + v
	}
	u := urlParser.NewUrl()
	if _, err := urlParser.BasicParser(modified, nil, u, wu.StatePathStart); err != nil {
		return "", invalid("pathname", v)
	}
	p := u.Pathname()
	if !leadingSlash {
		p = p[min(2, len(p)):]
	}
	return p, nil
}

// canonOpaquePathname is "canonicalize an opaque pathname".
func canonOpaquePathname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := urlParser.NewUrl()
	if _, err := urlParser.BasicParser(v, nil, u, wu.StateOpaquePath); err != nil {
		return "", invalid("pathname", v)
	}
	return u.Pathname(), nil
}

// canonSearch is "canonicalize a search".
func canonSearch(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := urlParser.NewUrl()
	if _, err := urlParser.BasicParser(v, nil, u, wu.StateQuery); err != nil {
		return "", invalid("search", v)
	}
	return u.Query(), nil
}

// canonHash is "canonicalize a hash".
func canonHash(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := urlParser.NewUrl()
	if _, err := urlParser.BasicParser(v, nil, u, wu.StateFragment); err != nil {
		return "", invalid("hash", v)
	}
	return u.Fragment(), nil
}
