// Package assets serves a Worker's static assets (wrangler's `assets`
// table) the way Cloudflare's asset worker does: the same html_handling
// rewrites and 307 redirects, the same not_found_handling (404-page,
// single-page-application), strong ETags with If-None-Match → 304, and the
// same routing decision between the assets and the Worker script
// (run_worker_first, navigation requests).
//
// It lives in core, beside the engine rather than in an adapter, because every
// host needs the same answers: adapters/http asks Route before it dispatches a
// fetch event, adapters/lambda will do the same for a function URL event, and
// core/env's `env.ASSETS.fetch` calls Fetch. It knows nothing of goja or
// net/http servers: a Request is a method, an absolute URL and headers, a
// Response is a status, headers and a body reader.
//
// Load walks the directory once, hashing every file (the hash is the ETag), and
// keeps only the manifest in memory; bodies are read from disk per request,
// through an os.Root, so nothing outside the directory can be opened (a
// symlink that points outside is skipped at load, with a warning). A dev
// server reloads by loading a new Server.
//
// Example:
//
//	s, err := assets.Load(dir, assets.Config{HTMLHandling: "auto-trailing-slash"})
//	if res := s.Route(req, true); res != nil {
//		// answer with res; the Worker is not invoked
//	}
package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	gitignore "github.com/sabhiram/go-gitignore"

	"github.com/ferry-run/ferry/core/config"
)

// MaxFileSize is Cloudflare's limit on one asset (25 MiB).
const MaxFileSize = 25 << 20

// IgnoreFile is the gitignore-style file in the assets directory listing files
// that are not assets, as with wrangler.
const IgnoreFile = ".assetsignore"

// navigationFlagDate is when assets_navigation_prefers_asset_serving became the
// default: navigation requests get not_found_handling's page instead of the
// Worker.
const navigationFlagDate = "2025-04-01"

// Config is how assets are served.
type Config struct {
	// HTMLHandling is "auto-trailing-slash" (the default when empty),
	// "force-trailing-slash", "drop-trailing-slash" or "none".
	HTMLHandling string
	// NotFoundHandling is "none" (the default when empty), "404-page" or
	// "single-page-application".
	NotFoundHandling string
	// RunWorkerFirst sends every request to the Worker, which may call
	// env.ASSETS.fetch.
	RunWorkerFirst bool
	// RunWorkerFirstPatterns sends requests whose path matches one of these
	// (`/api/*`; `!/api/docs/*` excludes) to the Worker first.
	RunWorkerFirstPatterns []string
	// NavigationPrefersAssets makes a navigation request (Sec-Fetch-Mode:
	// navigate) that matches no asset get the not_found_handling page rather
	// than the Worker: Cloudflare's assets_navigation_prefers_asset_serving,
	// the default from compatibility date 2025-04-01.
	NavigationPrefersAssets bool
}

// FromConfig returns the serving config of a wrangler config with assets.
func FromConfig(w *config.Worker) Config {
	a := w.Assets
	c := Config{HTMLHandling: a.HTMLHandling, NotFoundHandling: a.NotFoundHandling,
		RunWorkerFirst: a.RunWorkerFirst, RunWorkerFirstPatterns: a.RunWorkerFirstPatterns}
	date := w.CompatibilityDate
	c.NavigationPrefersAssets = date >= navigationFlagDate
	for _, f := range w.CompatibilityFlags {
		switch f {
		case "assets_navigation_prefers_asset_serving":
			c.NavigationPrefersAssets = true
		case "assets_navigation_has_no_effect":
			c.NavigationPrefersAssets = false
		}
	}
	return c
}

// asset is one file of the manifest.
type asset struct {
	file  string // slash-separated path relative to the directory
	size  int64
	mtime time.Time
	etag  string // hex content hash, unquoted
	ctype string
}

// Server serves one directory's assets. It is safe for concurrent use.
type Server struct {
	dir      string
	root     *os.Root
	cfg      Config
	files    map[string]*asset // by URL path, decoded: "/docs/index.html"
	include  []*regexp.Regexp  // run_worker_first patterns
	exclude  []*regexp.Regexp  // run_worker_first "!" patterns
	warnings []string
}

// Load reads the manifest of dir: every file not excluded by .assetsignore
// (and never .assetsignore, _redirects or _headers themselves), hashed once.
// Dotfiles are assets unless .assetsignore lists them, as with wrangler.
func Load(dir string, cfg Config) (*Server, error) {
	switch cfg.HTMLHandling {
	case "":
		cfg.HTMLHandling = "auto-trailing-slash"
	case "auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none":
	default:
		return nil, fmt.Errorf("assets: unknown html_handling %q", cfg.HTMLHandling)
	}
	switch cfg.NotFoundHandling {
	case "":
		cfg.NotFoundHandling = "none"
	case "none", "404-page", "single-page-application":
	default:
		return nil, fmt.Errorf("assets: unknown not_found_handling %q", cfg.NotFoundHandling)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the assets directory: %w", err)
	}
	s := &Server{dir: dir, root: root, cfg: cfg, files: map[string]*asset{}}
	for _, p := range cfg.RunWorkerFirstPatterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			s.exclude = append(s.exclude, routePattern(neg))
		} else {
			s.include = append(s.include, routePattern(p))
		}
	}
	if err := s.walk(); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// routePattern compiles a run_worker_first rule: `*` matches anything
// (slashes too), everything else is literal, and the whole path must match.
func routePattern(p string) *regexp.Regexp {
	parts := strings.Split(p, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}

func (s *Server) walk() error {
	lines := []string{"/" + IgnoreFile, "/_redirects", "/_headers"}
	if b, err := s.root.ReadFile(IgnoreFile); err == nil {
		lines = append(lines, strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")...)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading %s: %w", IgnoreFile, err)
	}
	for _, meta := range []string{"_redirects", "_headers"} {
		if _, err := s.root.Stat(meta); err == nil {
			s.warnings = append(s.warnings, fmt.Sprintf("assets: %s is not supported yet (ignored, and not served)", meta))
		}
	}
	ignore := gitignore.CompileIgnoreLines(lines...)
	return fs.WalkDir(s.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading the assets directory %s: %w", s.dir, err)
		}
		if p == "." {
			return nil
		}
		if ignore.MatchesPath(p) || (d.IsDir() && ignore.MatchesPath(p+"/")) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			// A link is followed only to a file inside the directory; the
			// asset is then read from that file, so serving never follows a
			// link.
			target, ok := s.linkTarget(p)
			if !ok {
				return nil
			}
			return s.add(p, target)
		case !d.Type().IsRegular():
			return nil
		}
		return s.add(p, p)
	})
}

// linkTarget resolves the symlink p to a regular file inside the directory,
// or records why it is skipped.
func (s *Server) linkTarget(p string) (string, bool) {
	realDir, err := filepath.EvalSymlinks(s.dir)
	if err == nil {
		var real string
		if real, err = filepath.EvalSymlinks(filepath.Join(s.dir, filepath.FromSlash(p))); err == nil {
			rel, rerr := filepath.Rel(realDir, real)
			if rerr != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				s.warnings = append(s.warnings, fmt.Sprintf("assets: skipping %s: it links outside the assets directory", p))
				return "", false
			}
			info, serr := s.root.Stat(filepath.ToSlash(rel))
			if serr == nil && info.Mode().IsRegular() {
				return filepath.ToSlash(rel), true
			}
			if serr == nil {
				s.warnings = append(s.warnings, fmt.Sprintf("assets: skipping %s: symlinked directories are not followed", p))
				return "", false
			}
			err = serr
		}
	}
	s.warnings = append(s.warnings, fmt.Sprintf("assets: skipping %s: %v", p, err))
	return "", false
}

// add hashes the file behind the URL path /p into the manifest.
func (s *Server) add(p, file string) error {
	f, err := s.root.Open(file)
	if err != nil {
		return fmt.Errorf("reading asset %s: %w", p, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading asset %s: %w", p, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("reading asset %s: %w", p, err)
	}
	if n > MaxFileSize {
		return fmt.Errorf("asset too large: Cloudflare Workers supports assets of up to 25 MiB, and %s is larger", path.Join(s.dir, p))
	}
	s.files["/"+p] = &asset{file: file, size: n, mtime: info.ModTime(), etag: etagOf(h), ctype: contentType(p)}
	return nil
}

func etagOf(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil))[:32] }

// open returns the asset's body with its ETag and size as they are now. The
// file may have changed since Load (a dev server reloads a moment later):
// then it is read and hashed again, so the headers match the bytes sent.
func (s *Server) open(a *asset) (io.ReadCloser, string, int64, error) {
	f, err := s.root.Open(a.file)
	if err != nil {
		return nil, "", 0, err
	}
	info, err := f.Stat()
	if err == nil && info.Size() == a.size && info.ModTime().Equal(a.mtime) {
		return f, a.etag, a.size, nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, "", 0, err
	}
	h := sha256.New()
	h.Write(data)
	return io.NopCloser(bytes.NewReader(data)), etagOf(h), int64(len(data)), nil
}

// Close releases the directory handle. Responses already returned keep their
// open files.
func (s *Server) Close() error { return s.root.Close() }

// Dir returns the assets directory.
func (s *Server) Dir() string { return s.dir }

// Len returns the number of assets.
func (s *Server) Len() int { return len(s.files) }

// Warnings returns what Load skipped and why.
func (s *Server) Warnings() []string { return s.warnings }

// Request is a request for an asset.
type Request struct {
	Method string
	URL    string // absolute
	Header http.Header
}

// Response is an asset response. Body is nil when there is none; the caller
// closes it.
type Response struct {
	Status     int
	StatusText string
	Header     http.Header
	Body       io.ReadCloser
}

// Route decides who answers a request that reached the Worker's address, as
// Cloudflare's router does. It returns nil when the Worker must handle it (a
// run_worker_first match, or no asset matches and hasWorker), else the assets'
// answer: the asset, a redirect to its canonical path, a 405 for a method
// other than GET or HEAD, a navigation fallback page, or (with no Worker) a
// 404.
func (s *Server) Route(r *Request, hasWorker bool) *Response {
	u, err := url.Parse(r.URL)
	if err != nil {
		return s.Fetch(r)
	}
	p := u.EscapedPath()
	if hasWorker {
		if s.cfg.RunWorkerFirst {
			return nil
		}
		if matchAny(s.include, p) && !matchAny(s.exclude, p) {
			return nil
		}
		notFound := "none"
		if s.cfg.NavigationPrefersAssets && r.Header.Get("Sec-Fetch-Mode") == "navigate" {
			notFound = s.cfg.NotFoundHandling
		}
		if s.resolve(decodePath(orSlash(p)), notFound, false) == nil {
			return nil
		}
	}
	return s.Fetch(r)
}

func matchAny(res []*regexp.Regexp, p string) bool {
	for _, re := range res {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Fetch answers a request the way env.ASSETS.fetch does: with
// not_found_handling applied, and a bodiless 404 when nothing matches.
func (s *Server) Fetch(r *Request) *Response {
	u, err := url.Parse(r.URL)
	if err != nil {
		return &Response{Status: http.StatusNotFound, StatusText: "Not Found", Header: http.Header{}}
	}
	pathname := orSlash(u.EscapedPath())
	search := ""
	if u.RawQuery != "" {
		search = "?" + u.RawQuery
	}
	decoded := decodePath(pathname)
	in := s.resolve(decoded, s.cfg.NotFoundHandling, false)
	if in == nil {
		return &Response{Status: http.StatusNotFound, StatusText: "Not Found", Header: http.Header{}}
	}
	method := strings.ToUpper(r.Method)
	if method != http.MethodGet && method != http.MethodHead {
		return &Response{Status: http.StatusMethodNotAllowed, StatusText: "Method Not Allowed", Header: http.Header{}}
	}
	dest := decoded
	if in.redirect != "" {
		dest = in.redirect
	}
	if enc := encodePath(dest); (enc != pathname && in.asset != nil) || in.redirect != "" {
		return &Response{Status: http.StatusTemporaryRedirect, StatusText: "Temporary Redirect", Header: http.Header{"Location": {enc + search}}}
	}
	a := in.asset
	body, etag, size, err := s.open(a)
	if err != nil {
		// Deleted since Load (a dev server reloads shortly).
		return &Response{Status: http.StatusNotFound, StatusText: "Not Found", Header: http.Header{}}
	}
	h := http.Header{"Etag": {`"` + etag + `"`}, "Content-Type": {a.ctype}}
	if r.Header.Get("Authorization") == "" && r.Header.Get("Range") == "" {
		h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	}
	if inm := r.Header.Get("If-None-Match"); inm == `"`+etag+`"` || inm == `W/"`+etag+`"` {
		body.Close()
		return &Response{Status: http.StatusNotModified, StatusText: "Not Modified", Header: h}
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	res := &Response{Status: in.status, StatusText: http.StatusText(in.status), Header: h, Body: body}
	if method == http.MethodHead {
		body.Close()
		res.Body = nil
	}
	return res
}

// intent is what a path resolves to: an asset served with a status, or a
// redirect to a canonical path (decoded).
type intent struct {
	asset    *asset
	status   int
	redirect string
}

func (s *Server) exists(p string) *asset { return s.files[p] }

func serve(a *asset) *intent { return &intent{asset: a, status: http.StatusOK} }

// resolve applies html_handling and then notFound to a decoded path. The
// rules, case by case, are Cloudflare's asset worker's: each form of a path
// (/x, /x/, /x.html, /x/index, /x/index.html) is served from the file it
// names or redirected to the canonical form of the file that exists.
func (s *Server) resolve(p, notFound string, skip bool) *intent {
	var in *intent
	switch s.cfg.HTMLHandling {
	case "auto-trailing-slash":
		in = s.autoTrailingSlash(p, notFound, skip)
	case "force-trailing-slash":
		in = s.forceTrailingSlash(p, notFound, skip)
	case "drop-trailing-slash":
		in = s.dropTrailingSlash(p, notFound, skip)
	default:
		if a := s.exists(p); a != nil {
			return serve(a)
		}
		return s.notFound(p, notFound)
	}
	return in
}

// redirect returns a redirect to dest when file would be what dest serves and
// dest is not itself a file.
func (s *Server) redirect(file, dest, notFound string, skip bool) *intent {
	if skip || s.exists(dest) != nil {
		return nil
	}
	in := s.resolve(dest, notFound, true)
	f := s.exists(file)
	if in != nil && in.asset != nil && f != nil && in.asset.etag == f.etag {
		return &intent{redirect: dest}
	}
	return nil
}

// first returns the first non-nil intent, evaluating lazily.
func first(fs ...func() *intent) *intent {
	for _, f := range fs {
		if in := f(); in != nil {
			return in
		}
	}
	return nil
}

func (s *Server) autoTrailingSlash(p, nf string, skip bool) *intent {
	exact := s.exists(p)
	red := func(file, dest string) func() *intent {
		return func() *intent { return s.redirect(file, dest, nf, skip) }
	}
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return serve(exact)
		}
		in = first(red(p+".html", strings.TrimSuffix(p, "index")), red(strings.TrimSuffix(p, "/index")+".html", strings.TrimSuffix(p, "/index")))
	case strings.HasSuffix(p, "/index.html"):
		in = first(red(p, strings.TrimSuffix(p, "index.html")), red(strings.TrimSuffix(p, "/index.html")+".html", strings.TrimSuffix(p, "/index.html")))
	case strings.HasSuffix(p, "/"):
		if a := s.exists(p + "index.html"); a != nil {
			return serve(a)
		}
		in = red(strings.TrimSuffix(p, "/")+".html", strings.TrimSuffix(p, "/"))()
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		in = first(red(p, base), red(base+"/index.html", base+"/"))
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return serve(exact)
	}
	if a := s.exists(p + ".html"); a != nil {
		return serve(a)
	}
	if in := red(p+"/index.html", p+"/")(); in != nil {
		return in
	}
	return s.notFound(p, nf)
}

func (s *Server) forceTrailingSlash(p, nf string, skip bool) *intent {
	exact := s.exists(p)
	red := func(file, dest string) func() *intent {
		return func() *intent { return s.redirect(file, dest, nf, skip) }
	}
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return serve(exact)
		}
		dir := strings.TrimSuffix(p, "index")
		in = first(red(p+".html", dir), red(strings.TrimSuffix(p, "/index")+".html", dir))
	case strings.HasSuffix(p, "/index.html"):
		dir := strings.TrimSuffix(p, "index.html")
		in = first(red(p, dir), red(strings.TrimSuffix(p, "/index.html")+".html", dir))
	case strings.HasSuffix(p, "/"):
		if a := s.exists(p + "index.html"); a != nil {
			return serve(a)
		}
		if a := s.exists(strings.TrimSuffix(p, "/") + ".html"); a != nil {
			return serve(a)
		}
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		if in = red(p, base+"/")(); in != nil {
			return in
		}
		if exact != nil {
			// Both /x.html and /x/index.html: /x.html stays at /x.html.
			return serve(exact)
		}
		in = red(base+"/index.html", base+"/")()
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return serve(exact)
	}
	if in := first(red(p+".html", p+"/"), red(p+"/index.html", p+"/")); in != nil {
		return in
	}
	return s.notFound(p, nf)
}

func (s *Server) dropTrailingSlash(p, nf string, skip bool) *intent {
	exact := s.exists(p)
	red := func(file, dest string) func() *intent {
		return func() *intent { return s.redirect(file, dest, nf, skip) }
	}
	var in *intent
	switch {
	case strings.HasSuffix(p, "/index"):
		if exact != nil {
			return serve(exact)
		}
		if p == "/index" {
			in = red("/index.html", "/")()
		} else {
			dir := strings.TrimSuffix(p, "/index")
			in = first(red(dir+".html", dir), red(p+".html", dir))
		}
	case strings.HasSuffix(p, "/index.html"):
		if p == "/index.html" {
			in = red("/index.html", "/")()
			break
		}
		dir := strings.TrimSuffix(p, "/index.html")
		if in = red(p, dir)(); in != nil {
			return in
		}
		if exact != nil {
			// Both /x.html and /x/index.html: /x/index.html stays put.
			return serve(exact)
		}
		in = red(dir+".html", dir)()
	case strings.HasSuffix(p, "/"):
		if p == "/" {
			if a := s.exists("/index.html"); a != nil {
				return serve(a)
			}
			break
		}
		dir := strings.TrimSuffix(p, "/")
		in = first(red(dir+".html", dir), red(dir+"/index.html", dir))
	case strings.HasSuffix(p, ".html"):
		base := strings.TrimSuffix(p, ".html")
		in = first(red(p, base), red(base+"/index.html", base))
	}
	if in != nil {
		return in
	}
	if exact != nil {
		return serve(exact)
	}
	if a := s.exists(p + ".html"); a != nil {
		return serve(a)
	}
	if a := s.exists(p + "/index.html"); a != nil {
		return serve(a)
	}
	return s.notFound(p, nf)
}

// notFound applies not_found_handling: index.html with 200 for a
// single-page application, the nearest 404.html up the tree with 404.
func (s *Server) notFound(p, mode string) *intent {
	switch mode {
	case "single-page-application":
		if a := s.exists("/index.html"); a != nil {
			return serve(a)
		}
	case "404-page":
		for dir := p; dir != ""; {
			i := strings.LastIndex(dir, "/")
			if i < 0 {
				break
			}
			dir = dir[:i]
			if a := s.exists(dir + "/404.html"); a != nil {
				return &intent{asset: a, status: http.StatusNotFound}
			}
		}
	}
	return nil
}

// decodePath percent-decodes each segment (keeping a segment that does not
// decode as it is) and folds runs of slashes, as Cloudflare does before
// matching a path against the manifest.
func decodePath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if d, err := url.PathUnescape(seg); err == nil {
			segs[i] = d
		}
	}
	out := strings.Join(segs, "/")
	for strings.Contains(out, "//") {
		out = strings.ReplaceAll(out, "//", "/")
	}
	return out
}

// encodePath encodes each segment as encodeURIComponent does: the canonical
// form an asset is served at (/[x] → /%5Bx%5D).
func encodePath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = encodeURIComponent(seg)
	}
	return strings.Join(segs, "/")
}

func encodeURIComponent(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
