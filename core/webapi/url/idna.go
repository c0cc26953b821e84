package url

import (
	"encoding/hex"
	"strings"

	wu "github.com/nlnwa/whatwg-url/url"
	"golang.org/x/net/idna"

	"github.com/ferry-run/ferry/core/js"
)

// The URL Standard's "domain to ASCII" differs from what the library does in
// two ways that matter in practice:
//
//   - A domain that is already ASCII is only lowercased: "xn--" labels in it
//     are kept as they are, even when they would not decode to a valid label
//     ("http://a.b.c.xn--pokxncvks/" parses). The library runs every domain
//     through UTS #46 and rejects such hosts.
//   - UTS #46 runs with UseSTD3ASCIIRules=false, so "≠" (U+2260) maps to
//     "xn--1ch"; the library asks golang.org/x/net/idna for STD3 rules and
//     rejects it.
//
// toASCIIHost fixes both through the library's host hooks, which exist for
// this kind of adjustment: the pre-parse hook computes the standard's result
// itself, and whenever the library's own UTS #46 pass would change or reject
// that result (it has an "xn--" label, or a last label like "123…9b" that the
// library's overflow-prone number check takes for an IPv4 part) it hands the library a stand-in label
// the library passes through untouched, which the post-parse hook turns back.
// A domain that fails is replaced by "%", which the library rejects as a
// forbidden domain code point. IP addresses, opaque hosts and hosts left
// unchanged go through the library's own path.

// idnaProfile is UTS #46 ToASCII with the URL Standard's flags (beStrict
// false): CheckHyphens false, CheckBidi true, CheckJoiners true,
// UseSTD3ASCIIRules false, Transitional_Processing false, VerifyDnsLength
// false. Later options override what MapForLookup sets.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(false),
	idna.CheckHyphens(false),
	idna.CheckJoiners(true),
	idna.Transitional(false),
	idna.VerifyDNSLength(false),
)

// standIn starts the label the pre-parse hook substitutes for a domain; the
// hex-encoded domain follows. Any real domain starting with it is itself
// substituted, so the post-parse hook never mistakes a real host for one.
const standIn = "ferry-host-"

// failHost is a host the library always rejects ("%" is a forbidden domain
// code point).
const failHost = "%"

var hostHooks = []wu.ParserOption{
	wu.WithPreParseHostFunc(preParseHost),
	wu.WithPostParseHostFunc(postParseHost),
}

func preParseHost(u *wu.Url, input string) string {
	if input == "" || input[0] == '[' || !u.IsSpecialScheme() {
		return input
	}
	domain := input
	if strings.IndexByte(input, '%') >= 0 {
		domain = js.DecodeUTF8(percentDecode(input))
	}
	var ascii string
	if isASCII(domain) {
		ascii = strings.ToLower(domain)
	} else {
		var err error
		if ascii, err = idnaProfile.ToASCII(domain); err != nil {
			return failHost
		}
	}
	if ascii == "" || strings.ContainsFunc(ascii, forbiddenDomainCodePoint) {
		return failHost
	}
	if endsInANumber(ascii) {
		return ascii // the library's IPv4 parser takes it from here
	}
	if !hasACELabel(ascii) && !strings.HasPrefix(ascii, standIn) && !lastLabelStartsWithDigit(ascii) {
		return ascii
	}
	return standIn + hex.EncodeToString([]byte(ascii))
}

func postParseHost(_ *wu.Url, host string) string {
	if !strings.HasPrefix(host, standIn) {
		return host
	}
	b, err := hex.DecodeString(host[len(standIn):])
	if err != nil {
		return host
	}
	return string(b)
}

func percentDecode(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && js.IsHexDigit(s[i+1]) && js.IsHexDigit(s[i+2]) {
			b = append(b, js.HexValue(s[i+1])<<4|js.HexValue(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// forbiddenDomainCodePoint is the URL Standard's set: forbidden host code
// points, C0 controls, "%" and U+007F.
func forbiddenDomainCodePoint(r rune) bool {
	if r <= 0x20 || r == 0x7F {
		return true
	}
	return strings.ContainsRune("#%/:<>?@[\\]^|", r)
}

// hasACELabel reports whether a label of the ASCII domain s starts with
// "xn--" (s is lowercase).
func hasACELabel(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if strings.HasPrefix(label, "xn--") {
			return true
		}
	}
	return false
}

func lastLabelStartsWithDigit(s string) bool {
	s = strings.TrimSuffix(s, ".")
	last := s[strings.LastIndexByte(s, '.')+1:]
	return last != "" && last[0] >= '0' && last[0] <= '9'
}

// endsInANumber is the URL Standard's "ends in a number" checker: the last
// non-empty label is all digits or a hexadecimal IPv4 number ("0x…").
func endsInANumber(s string) bool {
	labels := strings.Split(s, ".")
	if labels[len(labels)-1] == "" {
		if len(labels) == 1 {
			return false
		}
		labels = labels[:len(labels)-1]
	}
	last := labels[len(labels)-1]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X") {
		last = last[2:]
		for i := 0; i < len(last); i++ {
			if !js.IsHexDigit(last[i]) {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}
