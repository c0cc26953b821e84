package examples_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func fetchSite(t *testing.T, method, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// TestStaticSite runs examples/static-site: pages come from public/ before
// the Worker, with Cloudflare's trailing-slash redirects, 404 page and
// ETags; /api reaches the Worker, which reads pages through env.ASSETS.
func TestStaticSite(t *testing.T) {
	base, _ := startDev(t, "static-site", "--no-persist", "--no-watch")

	t.Run("pages", func(t *testing.T) {
		for path, want := range map[string]string{
			"/": "<h1>Home</h1>", "/about": "<h1>About</h1>", "/docs/": "<h1>Docs</h1>",
			"/docs/getting-started": "<h1>Getting started</h1>",
		} {
			res, body := fetchSite(t, "GET", base+path)
			if res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("GET %s = %d %q", path, res.StatusCode, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("GET %s: Content-Type %q", path, ct)
			}
			if res.Header.Get("X-Served-By") != "" {
				t.Errorf("GET %s reached the Worker", path)
			}
		}
		res, body := fetchSite(t, "GET", base+"/css/site.css")
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(body, "font-family") {
			t.Errorf("GET /css/site.css = %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})

	t.Run("redirects", func(t *testing.T) {
		for path, loc := range map[string]string{
			"/about.html": "/about", "/about/": "/about", "/docs": "/docs/", "/docs/index.html": "/docs/",
			"/index.html": "/", "/docs/getting-started.html?from=x": "/docs/getting-started?from=x",
		} {
			res, _ := fetchSite(t, "GET", base+path)
			if res.StatusCode != 307 || res.Header.Get("Location") != loc {
				t.Errorf("GET %s = %d Location %q, want 307 %q", path, res.StatusCode, res.Header.Get("Location"), loc)
			}
		}
	})

	t.Run("etag", func(t *testing.T) {
		res, _ := fetchSite(t, "GET", base+"/about")
		etag := res.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || res.Header.Get("Cache-Control") != "public, max-age=0, must-revalidate" {
			t.Fatalf("ETag %q, Cache-Control %q", etag, res.Header.Get("Cache-Control"))
		}
		res, body := fetchSite(t, "GET", base+"/about", "If-None-Match", etag)
		if res.StatusCode != 304 || body != "" || res.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match: %d %q", res.StatusCode, body)
		}
		res, body = fetchSite(t, "HEAD", base+"/about")
		if res.StatusCode != 200 || body != "" || res.Header.Get("ETag") != etag {
			t.Errorf("HEAD: %d %q", res.StatusCode, body)
		}
	})

	t.Run("not found", func(t *testing.T) {
		// A plain request for a missing page runs the Worker, which answers
		// with the assets' 404 page.
		res, body := fetchSite(t, "GET", base+"/missing")
		if res.StatusCode != 404 || !strings.Contains(body, "Page not found") || res.Header.Get("X-Served-By") != "worker" {
			t.Errorf("GET /missing = %d %q (x-served-by %q)", res.StatusCode, body, res.Header.Get("X-Served-By"))
		}
		// A browser navigation gets the 404 page without the Worker
		// (compatibility date after 2025-04-01).
		res, body = fetchSite(t, "GET", base+"/missing", "Sec-Fetch-Mode", "navigate")
		if res.StatusCode != 404 || !strings.Contains(body, "Page not found") || res.Header.Get("X-Served-By") != "" {
			t.Errorf("navigate /missing = %d %q (x-served-by %q)", res.StatusCode, body, res.Header.Get("X-Served-By"))
		}
		// .assetsignore keeps drafts and itself out.
		for _, p := range []string{"/notes.draft.html", "/notes.draft", "/.assetsignore"} {
			if res, _ := fetchSite(t, "GET", base+p); res.StatusCode != 404 {
				t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
			}
		}
	})

	t.Run("api", func(t *testing.T) {
		res, body := fetchSite(t, "POST", base+"/api/hello")
		if res.StatusCode != 200 || body != `{"hello":"world","method":"POST"}` {
			t.Errorf("POST /api/hello = %d %q", res.StatusCode, body)
		}
		// POST to a page is refused by the assets, as on Cloudflare.
		if res, _ := fetchSite(t, "POST", base+"/about"); res.StatusCode != 405 {
			t.Errorf("POST /about = %d, want 405", res.StatusCode)
		}
		res, body = fetchSite(t, "GET", base+"/api/page-info")
		var info struct {
			Status      int    `json:"status"`
			ETag        string `json:"etag"`
			ContentType string `json:"contentType"`
			Title       string `json:"title"`
		}
		if err := json.Unmarshal([]byte(body), &info); err != nil {
			t.Fatalf("/api/page-info: %v: %s", err, body)
		}
		page, _ := fetchSite(t, "GET", base+"/about")
		if info.Status != 200 || info.Title != "About" || info.ETag != page.Header.Get("ETag") || info.ContentType != "text/html; charset=utf-8" {
			t.Errorf("/api/page-info = %+v (page ETag %s)", info, page.Header.Get("ETag"))
		}
	})

	t.Run("cache", func(t *testing.T) {
		// /api/stats is computed once, then answered from caches.default
		// (stored by ctx.waitUntil after the first response).
		first, body := fetchSite(t, "GET", base+"/api/stats")
		var stats struct {
			Pages      int    `json:"pages"`
			Bytes      int    `json:"bytes"`
			ComputedAt string `json:"computedAt"`
		}
		if err := json.Unmarshal([]byte(body), &stats); err != nil || first.StatusCode != 200 || stats.Pages != 4 || stats.Bytes == 0 {
			t.Fatalf("/api/stats = %d %s (%v)", first.StatusCode, body, err)
		}
		if first.Header.Get("Cf-Cache-Status") != "" {
			t.Fatalf("the first answer came from the cache")
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, again := fetchSite(t, "GET", base+"/api/stats")
			if res.Header.Get("Cf-Cache-Status") == "HIT" {
				if again != body || res.Header.Get("Cache-Control") != "public, max-age=60" {
					t.Errorf("cached answer %q (Cache-Control %q), want %q", again, res.Header.Get("Cache-Control"), body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("/api/stats never came from the cache")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestStaticSiteReload edits a page while ferry dev runs: the new content is
// served with a new ETag, and a new file appears, without a restart.
func TestStaticSiteReload(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("static-site")); err != nil {
		t.Fatal(err)
	}
	base, _ := startDev(t, dir, "--no-persist")
	res, _ := fetchSite(t, "GET", base+"/about")
	before := res.Header.Get("ETag")
	if err := os.WriteFile(filepath.Join(dir, "public", "about.html"), []byte("<h1>About, edited</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "docs", "new.html"), []byte("<h1>New</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, body := fetchSite(t, "GET", base+"/about")
		nres, nbody := fetchSite(t, "GET", base+"/docs/new")
		if body == "<h1>About, edited</h1>" && res.Header.Get("ETag") != before && nres.StatusCode == 200 && nbody == "<h1>New</h1>" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the edit: /about = %q (ETag %s, before %s); /docs/new = %d", body, res.Header.Get("ETag"), before, nres.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
