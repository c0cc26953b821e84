// Package cache defines the storage behind the Workers Cache API
// (`caches.default`, `caches.open(name)`) and the HTTP rules Cloudflare's cache
// applies, so every store and the JS glue (core/webapi/cache) agree on them:
//
//   - what may be stored and for how long (Policy): Cache-Control s-maxage,
//     then max-age, then Expires, else Cloudflare's default edge TTL for the
//     status; never with no-store, private, no-cache, or a Set-Cookie header
//     (unless Cache-Control has private=Set-Cookie, which stores the response
//     without it);
//   - how a stored response answers a request (Answer): If-None-Match and
//     If-Modified-Since → 304, a single Range → 206 (or 416).
//
// A Store keeps entries by cache name and URL until they expire; an expired
// entry is gone (Match does not return it, Delete reports false). This package
// has no goja import; cachetest is the conformance suite every Store passes.
package cache

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultName is the cache name of caches.default; caches.open names are
// stored as given, so no opened cache can be the default one.
const DefaultName = ""

// Entry is a stored response.
type Entry struct {
	Status int
	Header http.Header
	Body   []byte
	// Expires is when the entry stops being served (set by Store.Put).
	Expires time.Time
}

// Store holds cached responses. Implementations are safe for concurrent use.
type Store interface {
	// Put stores e under (name, url) for ttl (> 0), replacing any entry.
	Put(ctx context.Context, name, url string, e *Entry, ttl time.Duration) error
	// Match returns the live entry under (name, url), or nil.
	Match(ctx context.Context, name, url string) (*Entry, error)
	// Delete removes the entry and reports whether a live one was there.
	Delete(ctx context.Context, name, url string) (bool, error)
}

// Default edge TTLs Cloudflare applies when a response has no Cache-Control
// max-age/s-maxage or Expires ("Edge TTL" in Cloudflare's cache docs).
var defaultTTL = map[int]time.Duration{
	200: 120 * time.Minute, 206: 120 * time.Minute, 301: 120 * time.Minute,
	302: 20 * time.Minute, 303: 20 * time.Minute,
	404: 3 * time.Minute, 410: 3 * time.Minute,
}

// Policy decides whether a response with status and header is stored and for
// how long. It returns the headers to store (Set-Cookie dropped under
// private=Set-Cookie); ok is false when the response is not stored.
func Policy(status int, header http.Header, now time.Time) (stored http.Header, ttl time.Duration, ok bool) {
	stored = header.Clone()
	dirs := parseCacheControl(header.Values("Cache-Control"))
	if _, ok := dirs["no-store"]; ok {
		return nil, 0, false
	}
	if v, ok := dirs["no-cache"]; ok && v == "" {
		return nil, 0, false
	}
	if v, ok := dirs["private"]; ok {
		if !fieldListHas(v, "set-cookie") {
			return nil, 0, false
		}
		stored.Del("Set-Cookie")
	}
	if len(stored.Values("Set-Cookie")) > 0 {
		return nil, 0, false
	}
	switch {
	case dirs["s-maxage"] != "":
		ttl = seconds(dirs["s-maxage"])
	case dirs["max-age"] != "":
		ttl = seconds(dirs["max-age"])
	case header.Get("Expires") != "":
		exp, err := http.ParseTime(header.Get("Expires"))
		if err != nil {
			return nil, 0, false // an invalid Expires means already expired
		}
		base := now
		if d, err := http.ParseTime(header.Get("Date")); err == nil {
			base = d
		}
		ttl = exp.Sub(base)
	default:
		ttl = defaultTTL[status]
	}
	if ttl <= 0 {
		return nil, 0, false
	}
	return stored, ttl, true
}

func seconds(v string) time.Duration {
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// parseCacheControl returns the directives, lower-cased, with their values
// (unquoted; "" when none).
func parseCacheControl(values []string) map[string]string {
	out := map[string]string{}
	for _, v := range values {
		for _, part := range splitDirectives(v) {
			name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			out[name] = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return out
}

// splitDirectives splits on commas outside quotes (private="a, b").
func splitDirectives(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func fieldListHas(list, name string) bool {
	for _, f := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(f), name) {
			return true
		}
	}
	return false
}

// Answer is how a stored entry answers a request: the status, the headers
// (the entry's, plus Content-Range for a range) and the body bytes (nil for
// 304). cf-cache-status is the caller's to add.
func Answer(e *Entry, req http.Header) (status int, header http.Header, body []byte) {
	header = e.Header.Clone()
	if notModified(e.Header, req) {
		return http.StatusNotModified, header, nil
	}
	body = e.Body
	status = e.Status
	if rng := req.Get("Range"); rng != "" && status == http.StatusOK {
		start, end, ok, satisfiable := parseRange(rng, int64(len(body)))
		switch {
		case ok && !satisfiable:
			header.Set("Content-Range", "bytes */"+strconv.Itoa(len(body)))
			header.Del("Content-Length")
			return http.StatusRequestedRangeNotSatisfiable, header, nil
		case ok:
			header.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.Itoa(len(body)))
			header.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
			return http.StatusPartialContent, header, body[start : end+1]
		}
	}
	return status, header, body
}

// notModified applies If-None-Match (weak comparison, *), else
// If-Modified-Since against Last-Modified.
func notModified(stored, req http.Header) bool {
	if inm := req.Get("If-None-Match"); inm != "" {
		etag := strings.TrimPrefix(stored.Get("ETag"), "W/")
		if etag == "" {
			return false
		}
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
		return false
	}
	if ims := req.Get("If-Modified-Since"); ims != "" {
		since, err := http.ParseTime(ims)
		lm, err2 := http.ParseTime(stored.Get("Last-Modified"))
		return err == nil && err2 == nil && !lm.After(since)
	}
	return false
}

// parseRange reads one `bytes=` range of a body of size n. ok is false when
// the header is not a single byte range (it is then ignored: the whole body
// is the answer, as RFC 9110 allows).
func parseRange(h string, n int64) (start, end int64, ok, satisfiable bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, false
	}
	switch {
	case a == "": // suffix: the last b bytes
		k, err := strconv.ParseInt(b, 10, 64)
		if err != nil || k < 0 {
			return 0, 0, false, false
		}
		if k == 0 || n == 0 {
			return 0, 0, true, false
		}
		return max(n-k, 0), n - 1, true, true
	default:
		s, err := strconv.ParseInt(a, 10, 64)
		if err != nil || s < 0 {
			return 0, 0, false, false
		}
		e := n - 1
		if b != "" {
			if e, err = strconv.ParseInt(b, 10, 64); err != nil || e < s {
				return 0, 0, false, false
			}
			e = min(e, n-1)
		}
		if s >= n {
			return 0, 0, true, false
		}
		return s, e, true, true
	}
}
