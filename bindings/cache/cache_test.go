package cache

import (
	"net/http"
	"testing"
	"time"
)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestPolicy(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		status int
		h      http.Header
		ttl    time.Duration // 0: not stored
	}{
		{"max-age", 200, hdr("Cache-Control", "public, max-age=60"), time.Minute},
		{"s-maxage wins", 200, hdr("Cache-Control", "max-age=60, s-maxage=600"), 10 * time.Minute},
		{"no-store", 200, hdr("Cache-Control", "no-store, max-age=60"), 0},
		{"no-cache", 200, hdr("Cache-Control", "no-cache"), 0},
		{"private", 200, hdr("Cache-Control", "private, max-age=60"), 0},
		{"max-age=0", 200, hdr("Cache-Control", "max-age=0"), 0},
		{"Set-Cookie", 200, hdr("Cache-Control", "max-age=60", "Set-Cookie", "a=1"), 0},
		{"private=Set-Cookie", 200, hdr("Cache-Control", `private="Set-Cookie", max-age=60`, "Set-Cookie", "a=1"), time.Minute},
		{"Expires", 200, hdr("Expires", now.Add(time.Hour).Format(http.TimeFormat)), time.Hour},
		{"Expires from Date", 200, hdr("Date", now.Add(-time.Hour).Format(http.TimeFormat), "Expires", now.Format(http.TimeFormat)), time.Hour},
		{"Expires past", 200, hdr("Expires", now.Add(-time.Hour).Format(http.TimeFormat)), 0},
		{"Expires invalid", 200, hdr("Expires", "0"), 0},
		{"max-age beats Expires", 200, hdr("Cache-Control", "max-age=5", "Expires", now.Add(time.Hour).Format(http.TimeFormat)), 5 * time.Second},
		{"default 200", 200, hdr(), 120 * time.Minute},
		{"default 302", 302, hdr(), 20 * time.Minute},
		{"default 404", 404, hdr(), 3 * time.Minute},
		{"default 500", 500, hdr(), 0},
		{"500 with max-age", 500, hdr("Cache-Control", "max-age=30"), 30 * time.Second},
	} {
		stored, ttl, ok := Policy(c.status, c.h, now)
		if ok != (c.ttl > 0) || ttl != c.ttl {
			t.Errorf("%s: stored %v ttl %v, want ttl %v", c.name, ok, ttl, c.ttl)
		}
		if ok && stored.Get("Set-Cookie") != "" {
			t.Errorf("%s: Set-Cookie stored", c.name)
		}
	}
}

func TestAnswer(t *testing.T) {
	lm := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := &Entry{Status: 200, Header: hdr("ETag", `"v1"`, "Last-Modified", lm.Format(http.TimeFormat)), Body: []byte("0123456789")}
	for _, c := range []struct {
		name   string
		req    http.Header
		status int
		body   string
		rng    string
	}{
		{"plain", hdr(), 200, "0123456789", ""},
		{"etag match", hdr("If-None-Match", `"v1"`), 304, "", ""},
		{"weak etag match", hdr("If-None-Match", `W/"v1", "v2"`), 304, "", ""},
		{"etag *", hdr("If-None-Match", "*"), 304, "", ""},
		{"etag mismatch", hdr("If-None-Match", `"v2"`), 200, "0123456789", ""},
		{"not modified since", hdr("If-Modified-Since", lm.Add(time.Hour).Format(http.TimeFormat)), 304, "", ""},
		{"modified since", hdr("If-Modified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)), 200, "0123456789", ""},
		{"range", hdr("Range", "bytes=2-4"), 206, "234", "bytes 2-4/10"},
		{"open range", hdr("Range", "bytes=7-"), 206, "789", "bytes 7-9/10"},
		{"suffix range", hdr("Range", "bytes=-3"), 206, "789", "bytes 7-9/10"},
		{"range past end", hdr("Range", "bytes=5-100"), 206, "56789", "bytes 5-9/10"},
		{"unsatisfiable", hdr("Range", "bytes=10-"), 416, "", "bytes */10"},
		{"multiple ranges ignored", hdr("Range", "bytes=0-1,3-4"), 200, "0123456789", ""},
	} {
		status, h, body := Answer(e, c.req)
		if status != c.status || string(body) != c.body || h.Get("Content-Range") != c.rng {
			t.Errorf("%s: %d %q %q, want %d %q %q", c.name, status, body, h.Get("Content-Range"), c.status, c.body, c.rng)
		}
	}
}
