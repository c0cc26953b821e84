// Package cachetest is the conformance suite for cache.Store
// implementations: round trips of status, headers and bytes, replacement,
// separate caches, expiry on a fake clock, and delete.
package cachetest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
)

// Run runs the suite; open returns an empty store reading the time from now.
func Run(t *testing.T, open func(t *testing.T, now func() time.Time) cache.Store) {
	ctx := context.Background()
	newStore := func(t *testing.T) (cache.Store, *kvtest.Clock) {
		clock := kvtest.NewClock(kvtest.Start)
		return open(t, clock.Now), clock
	}
	entry := func(status int, body string, hdr ...string) *cache.Entry {
		h := http.Header{}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Add(hdr[i], hdr[i+1])
		}
		return &cache.Entry{Status: status, Header: h, Body: []byte(body)}
	}
	put := func(t *testing.T, s cache.Store, name, url string, e *cache.Entry, ttl time.Duration) {
		t.Helper()
		if err := s.Put(ctx, name, url, e, ttl); err != nil {
			t.Fatal(err)
		}
	}
	match := func(t *testing.T, s cache.Store, name, url string) *cache.Entry {
		t.Helper()
		e, err := s.Match(ctx, name, url)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	t.Run("RoundTrip", func(t *testing.T) {
		s, clock := newStore(t)
		body := make([]byte, 256)
		for i := range body {
			body[i] = byte(i)
		}
		e := &cache.Entry{Status: 404, Header: http.Header{"Content-Type": {"application/octet-stream"}, "X-Multi": {"a", "b"}}, Body: body}
		put(t, s, cache.DefaultName, "https://example.com/a?q=1", e, time.Minute)
		got := match(t, s, cache.DefaultName, "https://example.com/a?q=1")
		if got == nil {
			t.Fatal("stored entry not found")
		}
		if got.Status != 404 || !bytes.Equal(got.Body, body) || got.Header.Get("Content-Type") != "application/octet-stream" ||
			fmt.Sprint(got.Header.Values("X-Multi")) != "[a b]" {
			t.Errorf("got %d %v %d bytes", got.Status, got.Header, len(got.Body))
		}
		if !got.Expires.Equal(clock.Now().Add(time.Minute)) {
			t.Errorf("Expires %v, want %v", got.Expires, clock.Now().Add(time.Minute))
		}
		if match(t, s, cache.DefaultName, "https://example.com/a") != nil {
			t.Error("the query is part of the key")
		}
		empty := entry(204, "")
		put(t, s, cache.DefaultName, "https://example.com/empty", empty, time.Minute)
		if got := match(t, s, cache.DefaultName, "https://example.com/empty"); got == nil || got.Status != 204 || len(got.Body) != 0 {
			t.Errorf("empty body: %+v", got)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s, _ := newStore(t)
		put(t, s, "c", "https://x/", entry(200, "one"), time.Minute)
		put(t, s, "c", "https://x/", entry(200, "two", "X", "2"), time.Hour)
		got := match(t, s, "c", "https://x/")
		if got == nil || string(got.Body) != "two" || got.Header.Get("X") != "2" {
			t.Fatalf("got %+v", got)
		}
	})

	t.Run("SeparateCaches", func(t *testing.T) {
		s, _ := newStore(t)
		put(t, s, cache.DefaultName, "https://x/", entry(200, "default"), time.Minute)
		put(t, s, "custom", "https://x/", entry(200, "custom"), time.Minute)
		if got := match(t, s, cache.DefaultName, "https://x/"); got == nil || string(got.Body) != "default" {
			t.Errorf("default: %+v", got)
		}
		if got := match(t, s, "custom", "https://x/"); got == nil || string(got.Body) != "custom" {
			t.Errorf("custom: %+v", got)
		}
		if match(t, s, "other", "https://x/") != nil {
			t.Error("an unrelated cache has the entry")
		}
		if ok, err := s.Delete(ctx, "custom", "https://x/"); err != nil || !ok {
			t.Fatalf("delete: %v %v", ok, err)
		}
		if match(t, s, cache.DefaultName, "https://x/") == nil {
			t.Error("deleting from one cache removed the other's entry")
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s, clock := newStore(t)
		put(t, s, "c", "https://x/short", entry(200, "short"), 10*time.Second)
		put(t, s, "c", "https://x/long", entry(200, "long"), time.Hour)
		clock.Advance(9 * time.Second)
		if match(t, s, "c", "https://x/short") == nil {
			t.Fatal("expired early")
		}
		clock.Advance(time.Second)
		if match(t, s, "c", "https://x/short") != nil {
			t.Error("an expired entry is still served")
		}
		if ok, err := s.Delete(ctx, "c", "https://x/short"); err != nil || ok {
			t.Errorf("deleting an expired entry: %v %v, want false", ok, err)
		}
		if match(t, s, "c", "https://x/long") == nil {
			t.Error("the long-lived entry is gone")
		}
		put(t, s, "c", "https://x/short", entry(200, "again"), time.Minute)
		if got := match(t, s, "c", "https://x/short"); got == nil || string(got.Body) != "again" {
			t.Errorf("re-put after expiry: %+v", got)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s, _ := newStore(t)
		if ok, err := s.Delete(ctx, "c", "https://x/none"); err != nil || ok {
			t.Fatalf("delete of nothing: %v %v", ok, err)
		}
		put(t, s, "c", "https://x/a", entry(200, "a"), time.Minute)
		if ok, err := s.Delete(ctx, "c", "https://x/a"); err != nil || !ok {
			t.Fatalf("delete: %v %v", ok, err)
		}
		if match(t, s, "c", "https://x/a") != nil {
			t.Error("deleted entry still there")
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s, _ := newStore(t)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				url := fmt.Sprintf("https://x/%d", i)
				for j := range 20 {
					if err := s.Put(ctx, "c", url, entry(200, fmt.Sprint(j)), time.Minute); err != nil {
						t.Error(err)
						return
					}
					if _, err := s.Match(ctx, "c", url); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for i := range 8 {
			if got := match(t, s, "c", fmt.Sprintf("https://x/%d", i)); got == nil || string(got.Body) != "19" {
				t.Errorf("%d: %+v", i, got)
			}
		}
	})
}
