package url

import wu "github.com/nlnwa/whatwg-url/url"

// Parser returns the WHATWG URL parser behind URL and URLSearchParams, with
// Ferry's corrections to the library (domain to ASCII, the path
// percent-encode set). Other families that canonicalise parts of URLs —
// URLPattern — use it, so that both agree on every component.
func Parser() wu.Parser { return parser }
