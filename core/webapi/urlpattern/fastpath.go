package urlpattern

import "strings"

// canonicalValues splits s into its components without the URL parser
// when s is an http or https URL already in the form the parser would
// serialise it to — which request.url always is — so that parsing would
// change nothing. It reports false for anything it is not sure of (user
// info, IP addresses, "xn--" labels, dot segments, characters the parser
// would percent-encode, default ports…), and the caller parses instead.
// Parsing costs several microseconds and was most of a test() call.
//
// FuzzCanonicalValues checks it against the parser.
func canonicalValues(s string) (v urlValues, ok bool) {
	var rest string
	switch {
	case len(s) > 8 && s[:8] == "https://":
		v[cProtocol], rest = "https", s[8:]
	case len(s) > 7 && s[:7] == "http://":
		v[cProtocol], rest = "http", s[7:]
	default:
		return v, false
	}
	// Host: lowercase LDH labels, none empty, the last starting with a
	// letter (so it is not an IPv4 address), no "xn--" label.
	i, label := 0, 0
	for ; i < len(rest); i++ {
		c := rest[i]
		switch {
		case 'a' <= c && c <= 'z':
			if label == i && i+4 <= len(rest) && rest[i:i+4] == "xn--" {
				return v, false
			}
		case '0' <= c && c <= '9', c == '-':
		case c == '.':
			if i == label {
				return v, false
			}
			label = i + 1
			continue
		default:
			goto hostEnd
		}
	}
hostEnd:
	if i == label || rest[label] < 'a' || rest[label] > 'z' {
		return v, false
	}
	v[cHostname], rest = rest[:i], rest[i:]
	if len(rest) > 0 && rest[0] == ':' {
		j := 1
		for j < len(rest) && j <= 6 && '0' <= rest[j] && rest[j] <= '9' {
			j++
		}
		port := rest[1:j]
		if port == "" || port[0] == '0' || len(port) > 5 || len(port) == 5 && port > "65535" ||
			port == specialSchemes[v[cProtocol]] {
			return v, false
		}
		v[cPort], rest = port, rest[j:]
	}
	if len(rest) == 0 || rest[0] != '/' {
		return v, false
	}
	// Path: no dot segments (also spelled with %2e), nothing the path
	// percent-encode set or the parser's "\" handling would change.
	i = 0
	segStart := 1
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '?' || c == '#' {
			break
		}
		if c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}' ||
			c == '^' || c == '\\' {
			return v, false
		}
		if c == '%' && !percentTriplet(rest, i) {
			return v, false
		}
		if c == '/' && i > 0 {
			if isDotSegment(rest[segStart:i]) {
				return v, false
			}
			segStart = i + 1
		}
	}
	if isDotSegment(rest[segStart:i]) {
		return v, false
	}
	v[cPathname], rest = rest[:i], rest[i:]
	if len(rest) > 0 && rest[0] == '?' {
		j := 1
		for ; j < len(rest) && rest[j] != '#'; j++ {
			c := rest[j]
			if c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\'' ||
				c == '%' && !percentTriplet(rest, j) {
				return v, false
			}
		}
		v[cSearch], rest = rest[1:j], rest[j:]
	}
	if len(rest) > 0 && rest[0] == '#' {
		for j := 1; j < len(rest); j++ {
			c := rest[j]
			if c <= 0x20 || c >= 0x7F || c == '"' || c == '<' || c == '>' || c == '`' ||
				c == '%' && !percentTriplet(rest, j) {
				return v, false
			}
		}
		v[cHash] = rest[1:]
	}
	return v, true
}

// percentTriplet reports whether s[i] is "%" followed by two hex digits.
// (A lone "%" is valid but the parser treats it in ways not worth
// mirroring here.)
func percentTriplet(s string, i int) bool {
	return i+2 < len(s) && hexVal(rune(s[i+1])) >= 0 && hexVal(rune(s[i+2])) >= 0
}

// isDotSegment reports a single- or double-dot path segment, which the
// parser resolves: ".", "..", with any dot also spelled "%2e" or "%2E".
func isDotSegment(seg string) bool {
	switch len(seg) {
	case 1, 2, 3, 4, 6:
	default:
		return false
	}
	for _, d := range []string{".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"} {
		if strings.EqualFold(seg, d) {
			return true
		}
	}
	return false
}
