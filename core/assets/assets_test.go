package assets

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// site writes files (path → content) under a new directory.
func site(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func load(t *testing.T, dir string, cfg Config) *Server {
	t.Helper()
	s, err := Load(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get(s *Server, path string, hdr ...string) *Response {
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return s.Fetch(&Request{Method: "GET", URL: "http://example.com" + path, Header: h})
}

// outcome is "200 content", "307 location" or "404".
func outcome(t *testing.T, res *Response) string {
	t.Helper()
	switch res.Status {
	case http.StatusTemporaryRedirect:
		return "307 " + res.Header.Get("Location")
	case http.StatusOK, http.StatusNotFound:
		if res.Body == nil {
			return "404"
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.Itoa(res.Status) + " " + string(b)
	default:
		return strconv.Itoa(res.Status)
	}
}

// TestHTMLHandling checks the tables of Cloudflare's "HTML handling"
// documentation (a file.html and a folder/index.html), per mode.
func TestHTMLHandling(t *testing.T) {
	dir := site(t, map[string]string{"file.html": "file", "folder/index.html": "folder", "index.html": "home"})
	cases := map[string][][2]string{
		"auto-trailing-slash": {
			{"/file", "200 file"}, {"/file.html", "307 /file"}, {"/file/", "307 /file"}, {"/file/index", "307 /file"},
			{"/file/index.html", "307 /file"}, {"/folder", "307 /folder/"}, {"/folder.html", "307 /folder/"},
			{"/folder/", "200 folder"}, {"/folder/index", "307 /folder/"}, {"/folder/index.html", "307 /folder/"},
			{"/", "200 home"}, {"/index.html", "307 /"}, {"/index", "307 /"}, {"/missing", "404"},
		},
		"force-trailing-slash": {
			{"/file", "307 /file/"}, {"/file.html", "307 /file/"}, {"/file/", "200 file"}, {"/file/index", "307 /file/"},
			{"/file/index.html", "307 /file/"}, {"/folder", "307 /folder/"}, {"/folder.html", "307 /folder/"},
			{"/folder/", "200 folder"}, {"/folder/index", "307 /folder/"}, {"/folder/index.html", "307 /folder/"},
			{"/", "200 home"}, {"/index.html", "307 /"},
		},
		"drop-trailing-slash": {
			{"/file", "200 file"}, {"/file.html", "307 /file"}, {"/file/", "307 /file"}, {"/file/index", "307 /file"},
			{"/file/index.html", "307 /file"}, {"/folder", "200 folder"}, {"/folder.html", "307 /folder"},
			{"/folder/", "307 /folder"}, {"/folder/index", "307 /folder"}, {"/folder/index.html", "307 /folder"},
			{"/", "200 home"}, {"/index.html", "307 /"}, {"/index", "307 /"},
		},
		"none": {
			{"/file", "404"}, {"/file.html", "200 file"}, {"/file/", "404"}, {"/folder", "404"},
			{"/folder/", "404"}, {"/folder/index.html", "200 folder"}, {"/index.html", "200 home"}, {"/", "404"},
		},
	}
	for mode, rows := range cases {
		t.Run(mode, func(t *testing.T) {
			s := load(t, dir, Config{HTMLHandling: mode})
			for _, row := range rows {
				if got := outcome(t, get(s, row[0])); got != row[1] {
					t.Errorf("%s: got %q, want %q", row[0], got, row[1])
				}
			}
		})
	}
}

func TestRedirectKeepsQueryAndEncodes(t *testing.T) {
	s := load(t, site(t, map[string]string{"about.html": "a", "[x].txt": "x", "ü.txt": "u"}), Config{})
	if got := outcome(t, get(s, "/about.html?a=1&b")); got != "307 /about?a=1&b" {
		t.Errorf("got %q", got)
	}
	// Cloudflare's canonical path is each segment as encodeURIComponent
	// writes it.
	if got := outcome(t, get(s, "/[x].txt")); got != "307 /%5Bx%5D.txt" {
		t.Errorf("/[x].txt: got %q", got)
	}
	if got := outcome(t, get(s, "/%5Bx%5D.txt")); got != "200 x" {
		t.Errorf("/%%5Bx%%5D.txt: got %q", got)
	}
	if got := outcome(t, get(s, "/%C3%BC.txt")); got != "200 u" {
		t.Errorf("ü: got %q", got)
	}
	if got := outcome(t, get(s, "//about")); got != "307 /about" {
		t.Errorf("//about: got %q", got)
	}
}

func TestNotFoundHandling(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "home", "404.html": "top 404", "blog/404.html": "blog 404", "blog/post.html": "post"})
	s := load(t, dir, Config{NotFoundHandling: "404-page"})
	for path, want := range map[string]string{
		"/nope": "404 top 404", "/blog/nope": "404 blog 404", "/blog/a/b/c": "404 blog 404", "/blog/post": "200 post",
		"/other/deep/x": "404 top 404",
	} {
		if got := outcome(t, get(s, path)); got != want {
			t.Errorf("404-page %s: got %q, want %q", path, got, want)
		}
	}
	spa := load(t, dir, Config{NotFoundHandling: "single-page-application"})
	for path, want := range map[string]string{"/app/route": "200 home", "/blog/post": "200 post", "/": "200 home"} {
		if got := outcome(t, get(spa, path)); got != want {
			t.Errorf("spa %s: got %q, want %q", path, got, want)
		}
	}
	none := load(t, dir, Config{})
	res := get(none, "/nope")
	if res.Status != 404 || res.Body != nil {
		t.Errorf("none: got %d with body %v", res.Status, res.Body != nil)
	}
}

func TestHeadersETagAndMethods(t *testing.T) {
	s := load(t, site(t, map[string]string{"index.html": "<h1>hi</h1>", "app.js": "x()", "data.bin": "\x00", "style.css": "a{}"}), Config{})
	res := get(s, "/")
	etag := res.Header.Get("ETag")
	if res.Status != 200 || !strings.HasPrefix(etag, `"`) || len(etag) != 34 {
		t.Fatalf("GET /: %d etag %q", res.Status, etag)
	}
	res.Body.Close()
	for name, want := range map[string]string{
		"Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=0, must-revalidate", "Content-Length": "11",
	} {
		if got := res.Header.Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	for path, want := range map[string]string{"/app.js": "text/javascript; charset=utf-8", "/data.bin": "application/octet-stream", "/style.css": "text/css; charset=utf-8"} {
		res := get(s, path)
		res.Body.Close()
		if got := res.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", path, got, want)
		}
	}
	for _, inm := range []string{etag, "W/" + etag} {
		res := get(s, "/", "If-None-Match", inm)
		if res.Status != 304 || res.Body != nil || res.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: got %d", inm, res.Status)
		}
	}
	if res := get(s, "/", "If-None-Match", `"other"`); res.Status != 200 {
		t.Errorf("other etag: %d", res.Status)
	} else {
		res.Body.Close()
	}
	if res := get(s, "/", "Authorization", "Bearer x"); res.Header.Get("Cache-Control") != "" {
		t.Errorf("authorized request got Cache-Control %q", res.Header.Get("Cache-Control"))
	} else {
		res.Body.Close()
	}
	head := s.Fetch(&Request{Method: "HEAD", URL: "http://x/", Header: http.Header{}})
	if head.Status != 200 || head.Body != nil || head.Header.Get("Content-Length") != "11" {
		t.Errorf("HEAD: %d body %v", head.Status, head.Body != nil)
	}
	post := s.Fetch(&Request{Method: "POST", URL: "http://x/", Header: http.Header{}})
	if post.Status != 405 {
		t.Errorf("POST /: %d", post.Status)
	}
	// Same content, same ETag; different content, different ETag.
	s2 := load(t, site(t, map[string]string{"a.html": "<h1>hi</h1>", "b.html": "<h1>ho</h1>"}), Config{})
	a, b := get(s2, "/a"), get(s2, "/b")
	a.Body.Close()
	b.Body.Close()
	if a.Header.Get("ETag") != etag || b.Header.Get("ETag") == etag {
		t.Errorf("etags: %s %s (index %s)", a.Header.Get("ETag"), b.Header.Get("ETag"), etag)
	}
}

func TestRoute(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "home", "about.html": "about", "404.html": "gone", "api/docs.html": "docs"})
	req := func(method, path string, hdr ...string) *Request {
		h := http.Header{}
		for i := 0; i+1 < len(hdr); i += 2 {
			h.Set(hdr[i], hdr[i+1])
		}
		return &Request{Method: method, URL: "http://x" + path, Header: h}
	}
	s := load(t, dir, Config{NotFoundHandling: "404-page", NavigationPrefersAssets: true})
	if res := s.Route(req("GET", "/about"), true); res == nil || outcome(t, res) != "200 about" {
		t.Error("an asset must be served without the Worker")
	}
	if res := s.Route(req("GET", "/about.html"), true); res == nil || res.Status != 307 {
		t.Error("a redirect to an asset is answered by the assets")
	}
	if res := s.Route(req("GET", "/api/users"), true); res != nil {
		t.Errorf("no asset: the Worker must run, got %d", res.Status)
	}
	if res := s.Route(req("POST", "/api/users"), true); res != nil {
		t.Errorf("POST without asset: the Worker must run, got %d", res.Status)
	}
	if res := s.Route(req("POST", "/about"), true); res == nil || res.Status != 405 {
		t.Error("POST to an asset: 405 from the assets, as Cloudflare")
	}
	if res := s.Route(req("GET", "/nope", "Sec-Fetch-Mode", "navigate"), true); res == nil || outcome(t, res) != "404 gone" {
		t.Error("a navigation request gets the 404 page without the Worker")
	}
	if res := s.Route(req("GET", "/nope"), false); res == nil || outcome(t, res) != "404 gone" {
		t.Error("no Worker: the 404 page")
	}
	old := load(t, dir, Config{NotFoundHandling: "404-page"})
	if res := old.Route(req("GET", "/nope", "Sec-Fetch-Mode", "navigate"), true); res != nil {
		t.Error("before 2025-04-01 navigation requests reach the Worker")
	}
	first := load(t, dir, Config{RunWorkerFirstPatterns: []string{"/api/*", "!/api/docs*"}})
	if res := first.Route(req("GET", "/api/x"), true); res != nil {
		t.Error("/api/* runs the Worker first")
	}
	if res := first.Route(req("GET", "/api/docs"), true); res == nil || outcome(t, res) != "200 docs" {
		t.Error("!/api/docs* is served from the assets")
	}
	if res := first.Route(req("GET", "/about"), true); res == nil {
		t.Error("other paths are asset-first")
	}
	all := load(t, dir, Config{RunWorkerFirst: true})
	if res := all.Route(req("GET", "/about"), true); res != nil {
		t.Error("run_worker_first = true runs the Worker for every request")
	}
}

func TestIgnoreAndConfinement(t *testing.T) {
	outside := site(t, map[string]string{"secret.txt": "secret"})
	dir := site(t, map[string]string{
		"index.html": "home", ".assetsignore": "*.map\nprivate/\n", "app.js.map": "{}", "private/key.txt": "k",
		"_headers": "/*\n  X: y\n", ".well-known/security.txt": "contact", "sub/inner.txt": "inner",
	})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(dir, "leak.txt")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	if err := os.Symlink(filepath.Join(dir, "sub", "inner.txt"), filepath.Join(dir, "alias.txt")); err != nil {
		t.Fatal(err)
	}
	s := load(t, dir, Config{})
	for path, want := range map[string]string{
		"/app.js.map": "404", "/private/key.txt": "404", "/.assetsignore": "404", "/_headers": "404",
		"/leak.txt": "404", "/../secret.txt": "404", "/%2e%2e/secret.txt": "404", "/sub/..%2f..%2fsecret.txt": "404",
		"/.well-known/security.txt": "200 contact", "/alias.txt": "200 inner",
	} {
		if got := outcome(t, get(s, path)); got != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
	}
	var warned bool
	for _, w := range s.Warnings() {
		warned = warned || strings.Contains(w, "leak.txt")
	}
	if !warned {
		t.Errorf("no warning for the escaping symlink: %q", s.Warnings())
	}
}

func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(dir, Config{}); err == nil || !strings.Contains(err.Error(), "25 MiB") {
		t.Fatalf("got %v", err)
	}
}

// TestChangedAfterLoad: a file edited after Load is served as it is now, with
// headers that match the bytes (a dev server reloads a moment later).
func TestChangedAfterLoad(t *testing.T) {
	dir := site(t, map[string]string{"a.txt": "first version"})
	s := load(t, dir, Config{})
	before := get(s, "/a.txt")
	before.Body.Close()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("v2"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := get(s, "/a.txt")
	if got := outcome(t, res); got != "200 v2" || res.Header.Get("Content-Length") != "2" || res.Header.Get("ETag") == before.Header.Get("ETag") {
		t.Fatalf("got %q, Content-Length %s, ETag %s (was %s)", got, res.Header.Get("Content-Length"), res.Header.Get("ETag"), before.Header.Get("ETag"))
	}
	if err := os.Remove(filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	if got := outcome(t, get(s, "/a.txt")); got != "404" {
		t.Fatalf("deleted: got %q", got)
	}
}
