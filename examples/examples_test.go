// Package examples runs every example Worker end to end: `ferry dev` on the
// example directory (through the same CLI code as the binary), real HTTP
// requests on 127.0.0.1, and assertions on what a user would see.
package examples_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/cli"
	"github.com/ferry-run/ferry/internal/testutil"
)

// commandLine is the command startDev runs; serve_test.go swaps it to run the
// same tests through `ferry serve`.
var commandLine = func(t *testing.T, dir string, args []string) []string {
	return append([]string{"dev", dir, "--port", "0"}, args...)
}

// startDev runs `ferry dev DIR --port 0 ARGS...` and returns its base URL and
// its stderr. The server stops when the test ends; the test fails if ferry
// exits with a non-zero code.
func startDev(t *testing.T, dir string, args ...string) (string, *testutil.SyncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &testutil.SyncBuffer{}
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	wd, _ := os.Getwd()
	st := &cli.State{
		Args:   commandLine(t, dir, args),
		Stdout: io.Discard, Stderr: stderr,
		Getenv: func(string) string { return "" },
		Getwd:  func() (string, error) { return wd, nil },
		Ctx:    ctx,
		Ready:  func(addr string) { ready <- addr },
	}
	go func() { exit <- cli.Main(st) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if code := <-exit; code != 0 {
				t.Errorf("ferry dev exited %d:\n%s", code, stderr.String())
			}
		})
		return "http://" + addr, stderr
	case code := <-exit:
		cancel()
		t.Fatalf("ferry dev exited %d before serving:\n%s", code, stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("ferry dev did not start:\n%s", stderr.String())
	}
	return "", nil
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
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

func TestHello(t *testing.T) {
	base, logs := startDev(t, "hello")
	res, body := get(t, base+"/")
	if res.StatusCode != 200 || body != "Hello from Ferry!\n" {
		t.Fatalf("GET / = %d %q", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("content-type %q", ct)
	}
	res, body = get(t, base+"/json?a=1&b=two")
	var got struct {
		Method string            `json:"method"`
		Path   string            `json:"path"`
		Query  map[string]string `json:"query"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("GET /json: %v: %s", err, body)
	}
	if got.Method != "GET" || got.Path != "/json" || got.Query["a"] != "1" || got.Query["b"] != "two" {
		t.Fatalf("GET /json = %+v", got)
	}
	_, body = get(t, base+"/__scheduled?cron=*/15+*+*+*+*")
	if !strings.Contains(body, "Ran scheduled event") {
		t.Fatalf("/__scheduled: %q", body)
	}
	if !strings.Contains(logs.String(), "cron */15 * * * * fired at") {
		t.Errorf("scheduled handler's console line missing:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "GET /json?a=1&b=two 200") {
		t.Errorf("request log line missing:\n%s", logs.String())
	}
}

func TestHono(t *testing.T) {
	testutil.NpmInstall(t, "hono")
	base, _ := startDev(t, "hono")

	res, body := get(t, base+"/")
	if res.StatusCode != 200 || body != "Hello from Hono on Ferry!" {
		t.Fatalf("GET / = %d %q", res.StatusCode, body)
	}
	if !strings.HasSuffix(res.Header.Get("x-response-time"), "ms") {
		t.Errorf("middleware header missing: %v", res.Header)
	}
	res, body = get(t, base+"/api/hello/ferry")
	if res.StatusCode != 200 || body != `{"message":"Hello, ferry!"}` {
		t.Fatalf("GET /api/hello/ferry = %d %q", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content-type %q", ct)
	}
	post, err := http.Post(base+"/api/echo", "application/json", strings.NewReader(`{"n":[1,2,3],"s":"é"}`))
	if err != nil {
		t.Fatal(err)
	}
	echoed, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if post.StatusCode != 200 || string(echoed) != `{"n":[1,2,3],"s":"é"}` {
		t.Fatalf("POST /api/echo = %d %q", post.StatusCode, echoed)
	}
	bad, err := http.Post(base+"/api/echo", "application/json", strings.NewReader(`{not json`))
	if err != nil {
		t.Fatal(err)
	}
	bad.Body.Close()
	if bad.StatusCode != 400 {
		t.Errorf("POST bad JSON = %d, want 400", bad.StatusCode)
	}
	res, body = get(t, base+"/missing")
	if res.StatusCode != 404 || body != `{"error":"not found","path":"/missing"}` {
		t.Fatalf("GET /missing = %d %q", res.StatusCode, body)
	}
}

func TestDevReloadsOnChangeAndKeepsServingOnBadEdit(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "hello/wrangler.toml", filepath.Join(dir, "wrangler.toml"))
	src := filepath.Join(dir, "src", "index.js")
	writeFile(t, src, `export default { fetch() { return new Response("v1") } }`)
	base, logs := startDev(t, dir)
	if _, body := get(t, base+"/"); body != "v1" {
		t.Fatalf("before: %q", body)
	}
	writeFile(t, src, `export default { fetch() { return new Response("v2") } }`)
	waitFor(t, func() bool { _, b := get(t, base+"/"); return b == "v2" }, logs)

	writeFile(t, src, `export default { fetch() { return new Response("v3" }`) // syntax error
	waitFor(t, func() bool { return strings.Contains(logs.String(), "rebuild failed") }, logs)
	if _, body := get(t, base+"/"); body != "v2" {
		t.Fatalf("after a bad edit the previous version should keep serving, got %q", body)
	}
	if !strings.Contains(logs.String(), "index.js:1:") {
		t.Errorf("build error lacks the location:\n%s", logs.String())
	}
}

func waitFor(t *testing.T, cond func() bool, logs *testutil.SyncBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition not met in 20s; log:\n%s", logs.String())
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(b))
}

func TestUpload(t *testing.T) {
	base, _ := startDev(t, "upload")
	res, body := get(t, base+"/")
	if res.StatusCode != 200 || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("GET / = %d %q", res.StatusCode, body)
	}

	// A real multipart body, written by Go's mime/multipart as a Go client would.
	photo := make([]byte, 70_000)
	for i := range photo {
		photo[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("title", "Été à la mer")
	_ = w.WriteField("tag", "a")
	_ = w.WriteField("tag", "b")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="photo"; filename="beach.jpg"`)
	h.Set("Content-Type", "image/jpeg")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(photo)
	notes, _ := w.CreateFormFile("notes", "notes.txt") // application/octet-stream
	_, _ = notes.Write([]byte("hello"))
	_ = w.Close()
	post, err := http.Post(base+"/upload", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if post.StatusCode != 200 {
		t.Fatalf("POST /upload = %d %s", post.StatusCode, raw)
	}
	type fileInfo struct {
		Field, Name, Type, FirstBytes, SHA256 string
		Size                                  int
	}
	var got struct {
		Fields map[string]any
		Files  []fileInfo
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if got.Fields["title"] != "Été à la mer" || fmt.Sprint(got.Fields["tag"]) != "[a b]" {
		t.Errorf("fields = %v", got.Fields)
	}
	sum := sha256.Sum256(photo)
	want := []fileInfo{
		{Field: "photo", Name: "beach.jpg", Type: "image/jpeg", Size: len(photo), FirstBytes: hex.EncodeToString(photo[:16]), SHA256: hex.EncodeToString(sum[:])},
		{Field: "notes", Name: "notes.txt", Type: "application/octet-stream", Size: 5, FirstBytes: hex.EncodeToString([]byte("hello"))},
	}
	if len(got.Files) != len(want) {
		t.Fatalf("files = %+v", got.Files)
	}
	for i, f := range got.Files {
		w := want[i]
		if f.SHA256 == "" { // the Worker only hashes when the runtime has crypto.subtle
			w.SHA256 = ""
		} else if i == 1 {
			s := sha256.Sum256([]byte("hello"))
			w.SHA256 = hex.EncodeToString(s[:])
		}
		if f != w {
			t.Errorf("file %d:\n got %+v\nwant %+v", i, f, w)
		}
	}

	bad, err := http.Post(base+"/upload", "text/plain", strings.NewReader("not a form"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(bad.Body)
	bad.Body.Close()
	if bad.StatusCode != 400 || !strings.Contains(string(raw), "Unrecognized Content-Type header value") {
		t.Errorf("POST text/plain = %d %s", bad.StatusCode, raw)
	}
}

func TestKVCounter(t *testing.T) {
	state := t.TempDir()
	ferry := func(args ...string) (int, string) {
		var out, errs strings.Builder
		wd, _ := os.Getwd()
		code := cli.Main(&cli.State{Args: args, Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" },
			Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background()})
		return code, out.String() + errs.String()
	}
	visit := func(t *testing.T, base, path, want string) {
		t.Helper()
		if res, body := get(t, base+path); res.StatusCode != 200 || body != want {
			t.Fatalf("GET %s = %d %q, want %q", path, res.StatusCode, body, want)
		}
	}
	// Seed a count with the CLI, as a user would before starting the server.
	if code, out := ferry("kv", "key", "put", "visits:/seeded", "41", "--binding", "COUNTS", "--persist-to", state, "kv-counter"); code != 0 {
		t.Fatalf("ferry kv key put: %d %s", code, out)
	}

	t.Run("first server", func(t *testing.T) {
		base, _ := startDev(t, "kv-counter", "--persist-to", state, "--no-watch")
		visit(t, base, "/a", "/a has been visited 1 time\n")
		visit(t, base, "/a", "/a has been visited 2 times\n")
		visit(t, base, "/b/c", "/b/c has been visited 1 time\n")
		visit(t, base, "/seeded", "/seeded has been visited 42 times\n")
		req, _ := http.NewRequest("DELETE", base+"/b/c", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		visit(t, base, "/b/c", "/b/c has been visited 1 time\n")
	})

	t.Run("after a restart", func(t *testing.T) {
		base, _ := startDev(t, "kv-counter", "--persist-to", state, "--no-watch")
		visit(t, base, "/a", "/a has been visited 3 times\n")
		_, body := get(t, base+"/__stats")
		var stats []struct {
			Path   string `json:"path"`
			Visits int    `json:"visits"`
			First  string `json:"first"`
		}
		if err := json.Unmarshal([]byte(body), &stats); err != nil {
			t.Fatalf("/__stats: %v: %s", err, body)
		}
		got := []string{}
		for _, s := range stats {
			got = append(got, fmt.Sprintf("%s=%d", s.Path, s.Visits))
			if _, err := time.Parse(time.RFC3339, s.First); err != nil {
				t.Errorf("%s: first visit %q: %v", s.Path, s.First, err)
			}
		}
		if strings.Join(got, " ") != "/a=3 /b/c=1 /seeded=42" {
			t.Errorf("/__stats = %s", body)
		}
	})

	// The CLI sees what the Worker wrote.
	code, out := ferry("kv", "key", "get", "visits:/a", "--binding", "COUNTS", "--persist-to", state, "kv-counter")
	if code != 0 || out != "3" {
		t.Errorf("ferry kv key get = %d %q, want 3", code, out)
	}
	code, out = ferry("kv", "key", "list", "--prefix", "visits:/b", "--binding", "COUNTS", "--persist-to", state, "kv-counter")
	if code != 0 || !strings.Contains(out, `"name": "visits:/b/c"`) || !strings.Contains(out, `"count": 1`) || strings.Contains(out, "visits:/a") {
		t.Errorf("ferry kv key list = %d %s", code, out)
	}
}

// TestJWT runs examples/jwt: RS256 and ES256 tokens signed here with Go's
// crypto (keys in jwt/testdata, public halves in its wrangler vars) verify or
// fail as they should, and an HS256 token the Worker issues carries a valid
// HMAC under the secret in jwt/.dev.vars.
func TestJWT(t *testing.T) {
	base, _ := startDev(t, "jwt")
	rsaKey := jwtPrivateKey(t, "jwt/testdata/rs256.pem").(*rsa.PrivateKey)
	ecKey := jwtPrivateKey(t, "jwt/testdata/es256.pem").(*ecdsa.PrivateKey)
	b64 := base64.RawURLEncoding
	token := func(alg string, claims map[string]any, sign func(signed []byte) []byte) string {
		h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
		c, _ := json.Marshal(claims)
		signed := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
		return signed + "." + b64.EncodeToString(sign([]byte(signed)))
	}
	rs256 := func(signed []byte) []byte {
		d := sha256.Sum256(signed)
		sig, err := rsa.SignPKCS1v15(nil, rsaKey, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	es256 := func(signed []byte) []byte {
		d := sha256.Sum256(signed)
		r, s, err := ecdsa.Sign(rand.Reader, ecKey, d[:])
		if err != nil {
			t.Fatal(err)
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig
	}
	now := time.Now().Unix()
	good := token("RS256", map[string]any{"sub": "rsa-user", "exp": now + 600}, rs256)
	parts := strings.Split(good, ".")
	forged := parts[0] + "." + b64.EncodeToString([]byte(`{"sub":"admin"}`)) + "." + parts[2]
	none := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + b64.EncodeToString([]byte(`{"sub":"x"}`)) + "."

	for _, tc := range []struct {
		name, token string
		bearer      bool
		status      int
		want        string // the sub claim, or a piece of the error
	}{
		{"RS256", good, false, 200, "rsa-user"},
		{"RS256 as bearer", good, true, 200, "rsa-user"},
		{"ES256", token("ES256", map[string]any{"sub": "ec-user", "exp": now + 600}, es256), false, 200, "ec-user"},
		{"forged claims", forged, false, 401, "bad signature"},
		{"ES256 expired", token("ES256", map[string]any{"sub": "x", "exp": now - 5}, es256), false, 401, "token expired"},
		{"RS256 header, ES256 signature", token("RS256", map[string]any{"sub": "x"}, es256), false, 401, "bad signature"},
		{"alg none", none, false, 401, "unsupported alg"},
		{"not a token", "not-a-token", false, 401, "malformed token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", base+"/verify", strings.NewReader(tc.token))
			if tc.bearer {
				req, _ = http.NewRequest("POST", base+"/verify", nil)
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var got struct {
				Alg    string         `json:"alg"`
				Claims map[string]any `json:"claims"`
				Error  string         `json:"error"`
			}
			if err := json.Unmarshal(body, &got); err != nil || res.StatusCode != tc.status {
				t.Fatalf("POST /verify = %d %s", res.StatusCode, body)
			}
			if tc.status == 200 && got.Claims["sub"] != tc.want {
				t.Fatalf("claims %v, want sub %q", got.Claims, tc.want)
			}
			if tc.status != 200 && !strings.Contains(got.Error, tc.want) {
				t.Fatalf("error %q, want %q", got.Error, tc.want)
			}
		})
	}

	res, body := get(t, base+"/token?sub=alice")
	var issued struct{ Token string }
	if err := json.Unmarshal([]byte(body), &issued); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /token = %d %s", res.StatusCode, body)
	}
	parts = strings.Split(issued.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q", issued.Token)
	}
	mac := hmac.New(sha256.New, []byte(jwtSecret(t)))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if sig, _ := b64.DecodeString(parts[2]); !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("the HS256 signature does not verify with the .dev.vars secret")
	}
	var claims struct {
		Sub, Iss string
		Iat, Exp int64
	}
	payload, _ := b64.DecodeString(parts[1])
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub != "alice" || claims.Iss != "ferry-jwt-example" || claims.Exp-claims.Iat != 3600 {
		t.Fatalf("claims %s", payload)
	}
	post, err := http.Post(base+"/verify", "text/plain", strings.NewReader(issued.Token))
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if post.StatusCode != 200 || !strings.Contains(string(back), `"alg":"HS256"`) || !strings.Contains(string(back), `"sub":"alice"`) {
		t.Fatalf("POST /verify of the issued token = %d %s", post.StatusCode, back)
	}
	if res, _ := get(t, base+"/token"); res.StatusCode != 400 {
		t.Errorf("GET /token without sub = %d, want 400", res.StatusCode)
	}
}

func jwtPrivateKey(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// jwtSecret reads HS256_SECRET from jwt/.dev.vars.
func jwtSecret(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("jwt/.dev.vars")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "HS256_SECRET="); ok {
			return strings.Trim(v, `"`)
		}
	}
	t.Fatal("no HS256_SECRET in jwt/.dev.vars")
	return ""
}

// TestR2Files runs examples/r2-files: uploads stream into the bucket,
// downloads honour Range and conditional headers, large files go up in
// parts under R2's 5 MiB rule, and everything lands in the state directory
// the CLI reads.
func TestR2Files(t *testing.T) {
	state := t.TempDir()
	ferry := func(args ...string) (int, string) {
		var out, errs strings.Builder
		wd, _ := os.Getwd()
		code := cli.Main(&cli.State{Args: args, Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" },
			Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background()})
		return code, out.String() + errs.String()
	}
	if code, out := ferry("r2", "object", "put", "seeded.txt", "from the CLI", "--binding", "FILES", "--persist-to", state, "r2-files"); code != 0 {
		t.Fatalf("ferry r2 object put: %d %s", code, out)
	}
	base, logs := startDev(t, "r2-files", "--persist-to", state, "--no-watch")
	do := func(method, path string, body []byte, header ...string) (*http.Response, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			r = bytes.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, r)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}
	md5hex := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

	// Upload and download, with the Content-Type kept.
	hello := []byte("hello, world")
	res, body := do("PUT", "/files/docs/hello.txt", hello, "Content-Type", "text/plain;charset=utf-8")
	var put struct {
		Key, ETag, ContentType string
		Size                   int
	}
	if err := json.Unmarshal(body, &put); err != nil || res.StatusCode != 201 || put.Key != "docs/hello.txt" ||
		put.Size != 12 || put.ETag != md5hex(hello) || put.ContentType != "text/plain;charset=utf-8" {
		t.Fatalf("PUT = %d %s", res.StatusCode, body)
	}
	etag := `"` + md5hex(hello) + `"`
	res, body = do("GET", "/files/docs/hello.txt", nil)
	if res.StatusCode != 200 || string(body) != "hello, world" || res.Header.Get("ETag") != etag ||
		res.Header.Get("Content-Type") != "text/plain;charset=utf-8" || res.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("GET = %d %q %v", res.StatusCode, body, res.Header)
	}
	res, body = do("HEAD", "/files/docs/hello.txt", nil)
	if res.StatusCode != 200 || len(body) != 0 || res.Header.Get("Content-Length") != "12" || res.Header.Get("ETag") != etag {
		t.Errorf("HEAD = %d %q %v", res.StatusCode, body, res.Header)
	}

	// Ranges and conditional requests.
	for _, tc := range []struct {
		header       []string
		status       int
		body, crange string
	}{
		{[]string{"Range", "bytes=7-"}, 206, "world", "bytes 7-11/12"},
		{[]string{"Range", "bytes=-5"}, 206, "world", "bytes 7-11/12"},
		{[]string{"Range", "bytes=0-4"}, 206, "hello", "bytes 0-4/12"},
		{[]string{"Range", "bytes=0-100"}, 200, "hello, world", ""},
		{[]string{"If-None-Match", etag}, 304, "", ""},
		{[]string{"If-None-Match", `"other"`}, 200, "hello, world", ""},
		{[]string{"If-Match", `"other"`}, 412, "", ""},
		{[]string{"If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, 304, "", ""},
	} {
		res, body := do("GET", "/files/docs/hello.txt", nil, tc.header...)
		if res.StatusCode != tc.status || string(body) != tc.body || res.Header.Get("Content-Range") != tc.crange {
			t.Errorf("GET with %q = %d %q %q, want %d %q %q", tc.header, res.StatusCode, body, res.Header.Get("Content-Range"), tc.status, tc.body, tc.crange)
		}
		if tc.status == 206 && res.Header.Get("Content-Length") != fmt.Sprint(len(tc.body)) {
			t.Errorf("GET with %q: Content-Length %q", tc.header, res.Header.Get("Content-Length"))
		}
	}
	// A conditional upload that fails changes nothing.
	if res, _ := do("PUT", "/files/docs/hello.txt", []byte("overwritten"), "If-Match", `"stale"`); res.StatusCode != 412 {
		t.Errorf("conditional PUT = %d, want 412", res.StatusCode)
	}
	if res, _ := do("PUT", "/files/docs/hello.txt", []byte("overwritten"), "If-None-Match", "*"); res.StatusCode != 412 {
		t.Errorf("create-only PUT of an existing file = %d, want 412", res.StatusCode)
	}

	// A binary file of a few MiB round-trips, whole and in part.
	blob := make([]byte, 3<<20+5)
	for i := range blob {
		blob[i] = byte(i*13 + i>>9)
	}
	if res, body := do("PUT", "/files/bin/blob.dat", blob, "Content-Type", "application/octet-stream"); res.StatusCode != 201 {
		t.Fatalf("PUT blob = %d %s", res.StatusCode, body)
	}
	if res, body := do("GET", "/files/bin/blob.dat", nil); res.StatusCode != 200 || !bytes.Equal(body, blob) {
		t.Fatalf("GET blob = %d, %d bytes", res.StatusCode, len(body))
	}
	if res, body := do("GET", "/files/bin/blob.dat", nil, "Range", "bytes=1000000-1999999"); res.StatusCode != 206 || !bytes.Equal(body, blob[1000000:2000000]) {
		t.Fatalf("GET blob range = %d, %d bytes", res.StatusCode, len(body))
	}

	// A multipart upload: a 5 MiB part and a small last one.
	res, body = do("POST", "/uploads?key=big/movie.bin", nil, "Content-Type", "video/mp4")
	var created struct{ Key, UploadID string }
	if err := json.Unmarshal(body, &created); err != nil || res.StatusCode != 201 || created.Key != "big/movie.bin" || created.UploadID == "" {
		t.Fatalf("create upload = %d %s", res.StatusCode, body)
	}
	part1 := bytes.Repeat([]byte("0123456789abcdef"), (5<<20)/16)
	part2 := []byte("the last part")
	uploadPart := func(key, id string, n int, data []byte) json.RawMessage {
		t.Helper()
		res, body := do("PUT", fmt.Sprintf("/uploads/%s/parts/%d?key=%s", id, n, key), data)
		if res.StatusCode != 200 {
			t.Fatalf("part %d of %s = %d %s\n%s", n, id, res.StatusCode, body, logs.String())
		}
		return body
	}
	p1, p2 := uploadPart("big/movie.bin", created.UploadID, 1, part1), uploadPart("big/movie.bin", created.UploadID, 2, part2)
	res, body = do("POST", "/uploads/"+created.UploadID+"/complete?key=big/movie.bin", []byte(`{"parts":[`+string(p1)+`,`+string(p2)+`]}`))
	var done struct {
		Size        int
		ETag        string
		ContentType string
	}
	if err := json.Unmarshal(body, &done); err != nil || res.StatusCode != 200 || done.Size != len(part1)+len(part2) || done.ContentType != "video/mp4" {
		t.Fatalf("complete = %d %s", res.StatusCode, body)
	}
	s1, s2 := md5.Sum(part1), md5.Sum(part2)
	if want := md5hex(append(s1[:], s2[:]...)) + "-2"; done.ETag != want {
		t.Errorf("multipart etag = %s, want %s", done.ETag, want)
	}
	whole := append(append([]byte(nil), part1...), part2...)
	if res, body := do("GET", "/files/big/movie.bin", nil); res.StatusCode != 200 || !bytes.Equal(body, whole) || res.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("GET multipart object = %d, %d bytes", res.StatusCode, len(body))
	}
	// A range across the boundary between the parts.
	from := len(part1) - 4
	res, body = do("GET", "/files/big/movie.bin", nil, "Range", fmt.Sprintf("bytes=%d-%d", from, from+9))
	if res.StatusCode != 206 || string(body) != "cdefthe la" {
		t.Errorf("range across parts = %d %q", res.StatusCode, body)
	}
	// R2's rule: every part but the last is at least 5 MiB.
	res, body = do("POST", "/uploads?key=big/small.bin", nil)
	_ = json.Unmarshal(body, &created)
	s := []json.RawMessage{uploadPart("big/small.bin", created.UploadID, 1, []byte("tiny")), uploadPart("big/small.bin", created.UploadID, 2, []byte("end"))}
	res, body = do("POST", "/uploads/"+created.UploadID+"/complete?key=big/small.bin", []byte(`{"parts":[`+string(s[0])+`,`+string(s[1])+`]}`))
	if res.StatusCode != 400 || !strings.Contains(string(body), "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)") {
		t.Errorf("complete with a small part = %d %s", res.StatusCode, body)
	}
	if res, _ := do("DELETE", "/uploads/"+created.UploadID+"?key=big/small.bin", nil); res.StatusCode != 204 {
		t.Errorf("abort = %d", res.StatusCode)
	}
	res, body = do("PUT", "/uploads/"+created.UploadID+"/parts/3?key=big/small.bin", []byte("late"))
	if res.StatusCode != 400 || !strings.Contains(string(body), "(10024)") {
		t.Errorf("part after abort = %d %s", res.StatusCode, body)
	}

	// Listing, flat and by directory.
	var page struct {
		Objects []struct {
			Key  string
			Size int
		}
		DelimitedPrefixes []string
		Truncated         bool
		Cursor            *string
	}
	_, body = do("GET", "/files?delimiter=/", nil)
	if err := json.Unmarshal(body, &page); err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "seeded.txt" ||
		strings.Join(page.DelimitedPrefixes, ",") != "big/,bin/,docs/" || page.Truncated {
		t.Errorf("list by directory = %s", body)
	}
	_, body = do("GET", "/files?limit=2", nil)
	page.Objects, page.Cursor = nil, nil
	if err := json.Unmarshal(body, &page); err != nil || len(page.Objects) != 2 || !page.Truncated || page.Cursor == nil {
		t.Fatalf("list page 1 = %s", body)
	}
	_, body = do("GET", "/files?limit=2&cursor="+*page.Cursor, nil)
	page.Objects = nil
	if err := json.Unmarshal(body, &page); err != nil || len(page.Objects) != 2 || page.Objects[0].Key != "docs/hello.txt" || page.Truncated {
		t.Errorf("list page 2 = %s", body)
	}

	// What the CLI seeded is served; deleting works.
	if _, body := do("GET", "/files/seeded.txt", nil); string(body) != "from the CLI" {
		t.Errorf("seeded file = %q", body)
	}
	if res, _ := do("DELETE", "/files/bin/blob.dat", nil); res.StatusCode != 204 {
		t.Errorf("DELETE = %d", res.StatusCode)
	}
	if res, _ := do("GET", "/files/bin/blob.dat", nil); res.StatusCode != 404 {
		t.Errorf("GET after DELETE = %d", res.StatusCode)
	}

	// The CLI sees what the Worker wrote.
	code, out := ferry("r2", "object", "get", "docs/hello.txt", "--binding", "FILES", "--persist-to", state, "r2-files")
	if code != 0 || out != "hello, world" {
		t.Errorf("ferry r2 object get = %d %q", code, out)
	}
}

// TestStreaming runs examples/streaming end to end: server-sent events reach
// the client one by one while the Worker writes them, the gzip-on-the-fly
// proxy and the pass-through proxy deliver the upstream intact, a slow reader
// pauses the upstream, a client that goes away cancels the stream and the
// fetch feeding it, a request body streams through JS, and a stream that
// fails midway cuts the connection with the reason in the log.
func TestStreaming(t *testing.T) {
	base, logs := startDev(t, "streaming")
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	send := func(method, path string, header map[string]string, body io.Reader) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	t.Run("server-sent events arrive as they are written", func(t *testing.T) {
		res := send("GET", "/sse?n=5&interval=100", nil, nil)
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type = %q", ct)
		}
		type event struct {
			I int   `json:"i"`
			T int64 `json:"t"` // when the Worker wrote it (ms)
		}
		var events []event
		var received []time.Time
		lines := bufio.NewScanner(res.Body)
		for lines.Scan() {
			if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
				var e event
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					t.Fatal(err)
				}
				events = append(events, e)
				received = append(received, time.Now())
			}
		}
		if len(events) != 5 {
			t.Fatalf("got %d events", len(events))
		}
		var worst time.Duration
		for i, e := range events {
			if e.I != i {
				t.Fatalf("event %d has i=%d", i, e.I)
			}
			worst = max(worst, received[i].Sub(time.UnixMilli(e.T)))
		}
		// Streaming, not buffering: the first event was in the client's
		// hands before the Worker wrote the last one.
		if last := time.UnixMilli(events[4].T); !received[0].Before(last) {
			t.Errorf("the first event arrived at %v, after the last was written at %v", received[0], last)
		}
		t.Logf("worst write-to-read latency: %v", worst)
	})

	upstream := func(t *testing.T, size int) []byte {
		res := send("GET", fmt.Sprintf("/upstream?size=%d", size), nil, nil)
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		if err != nil || len(data) != size {
			t.Fatalf("upstream: %d bytes, %v", len(data), err)
		}
		return data
	}

	t.Run("gzip on the fly", func(t *testing.T) {
		want := upstream(t, 3_000_000)
		res := send("GET", "/proxy?size=3000000", map[string]string{"Accept-Encoding": "gzip"}, nil)
		defer res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Content-Length") != "" {
			t.Fatalf("headers: %v", res.Header)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("gunzipped %d bytes (want %d), %v", len(got), len(want), err)
		}
	})

	t.Run("pass-through proxy", func(t *testing.T) {
		want := upstream(t, 1_500_000)
		res := send("GET", "/proxy?size=1500000", map[string]string{"Accept-Encoding": "identity"}, nil)
		defer res.Body.Close()
		got, err := io.ReadAll(res.Body)
		if err != nil || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(got, want) {
			t.Fatalf("got %d bytes (want %d), %v, %v", len(got), len(want), err, res.Header)
		}
	})

	t.Run("a slow reader pauses the upstream; leaving cancels it", func(t *testing.T) {
		const size = 400 << 20
		res := send("GET", fmt.Sprintf("/proxy?size=%d", size), map[string]string{"Accept-Encoding": "identity"}, nil)
		if _, err := io.ReadFull(res.Body, make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // read nothing, then go away
		res.Body.Close()
		var produced int
		waitFor(t, func() bool {
			i := strings.Index(logs.String(), "upstream: cancelled after ")
			if i < 0 {
				return false
			}
			_, err := fmt.Sscanf(logs.String()[i:], "upstream: cancelled after %d bytes", &produced)
			return err == nil
		}, logs)
		// Without backpressure the upstream would have generated all 400 MiB
		// in that half second; with it, only what the sockets buffer.
		if produced > size/4 {
			t.Errorf("the upstream produced %d of %d bytes while the client read 64 KiB", produced, size)
		}
		t.Logf("produced while the client paused: %d KiB of %d MiB", produced>>10, size>>20)
		if !strings.Contains(logs.String(), "the client disconnected before the response body was complete") {
			t.Errorf("the log does not say the client went away:\n%s", logs.String())
		}
	})

	t.Run("request bodies stream through JS", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < 100; i++ {
				fmt.Fprintf(pw, "chunk %d, héllo\n", i)
			}
			pw.Close()
		}()
		res := send("POST", "/upper", nil, pr)
		defer res.Body.Close()
		got, _ := io.ReadAll(res.Body)
		lines := strings.Split(strings.TrimSpace(string(got)), "\n")
		if len(lines) != 100 || lines[99] != "CHUNK 99, HÉLLO" {
			t.Fatalf("got %d lines, last %q", len(lines), lines[len(lines)-1])
		}
	})

	t.Run("ReadableStream.from an async generator", func(t *testing.T) {
		res := send("GET", "/tokens", nil, nil)
		defer res.Body.Close()
		got, _ := io.ReadAll(res.Body)
		if !strings.HasPrefix(string(got), `data: {"token":"Streams"}`) || !strings.HasSuffix(string(got), "data: [DONE]\n\n") {
			t.Fatalf("tokens = %q", got)
		}
	})

	t.Run("a stream that fails midway cuts the connection and logs why", func(t *testing.T) {
		res := send("GET", "/broken", nil, nil)
		defer res.Body.Close()
		got, err := io.ReadAll(res.Body)
		if string(got) != "partial output\n" || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("got %q, %v; want the first part, then an unexpected EOF", got, err)
		}
		waitFor(t, func() bool { return strings.Contains(logs.String(), "the generator broke") }, logs)
		if !strings.Contains(logs.String(), "the response body failed mid-stream") {
			t.Errorf("log:\n%s", logs.String())
		}
	})
}
