package examples_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/cli"
	"github.com/ferry-run/ferry/internal/testutil"
)

// serveCommandLine runs startDev's tests through `ferry serve`: on
// 127.0.0.1, with /__scheduled on (--test-scheduled; TestHello uses it),
// ferry dev's log lines (--log-format text: the tests read them; JSON
// records are tested below) and without dev-only flags. The streaming example fetches a test server on
// 127.0.0.1, which production refuses: it runs from a copy whose config sets
// [ferry] allow_private_fetch, as a deployment with a private upstream would.
func serveCommandLine(t *testing.T, dir string, args []string) []string {
	if filepath.Base(dir) == "streaming" {
		cp := t.TempDir()
		copyDir(t, dir, cp)
		cfg := filepath.Join(cp, "wrangler.toml")
		b, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, cfg, string(b)+"\n[ferry]\nallow_private_fetch = true\n")
		dir = cp
	}
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--no-watch" })
	return append([]string{"serve", dir, "--port", "0", "--ip", "127.0.0.1", "--test-scheduled", "--log-format", "text"}, args...)
}

// TestServe runs the examples' end-to-end tests (written for ferry dev)
// through ferry serve. The tests are not parallel: swapping commandLine is
// safe.
func TestServe(t *testing.T) {
	orig := commandLine
	commandLine = serveCommandLine
	t.Cleanup(func() { commandLine = orig })
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"Hello", TestHello},
		{"Hono", TestHono},
		{"Upload", TestUpload},
		{"KVCounter", TestKVCounter},
		{"JWT", TestJWT},
		{"R2Files", TestR2Files},
		{"Streaming", TestStreaming},
		{"D1Notes", TestD1Notes},
		{"Queues", TestQueues},
		{"StaticSite", TestStaticSite},
	} {
		t.Run(tc.name, tc.test)
	}
}

// TestServeProduction checks what ferry serve does differently from ferry
// dev: JSON log lines, the health endpoint, no stacks in error pages, no
// /__scheduled unless asked, and fetch() refusing private addresses.
func TestServeProduction(t *testing.T) {
	upstream := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "private data") })}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go upstream.Serve(ln)
	t.Cleanup(func() { upstream.Close() })

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "wrangler.toml"), "name = \"prod\"\nmain = \"index.js\"\n[vars]\nGREETING = \"from config\"\n")
	writeFile(t, filepath.Join(dir, "index.js"), `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/throw") throw new Error("secret detail");
    if (url.pathname === "/fetch") {
      try { return new Response(await (await fetch(url.searchParams.get("u"))).text()); }
      catch (e) { return new Response(String(e), { status: 502 }); }
    }
    return Response.json({ greeting: env.GREETING, token: env.TOKEN ?? null });
  },
};
`)
	base, logs := startServe(t, dir, []string{"FERRY_VAR_GREETING=from env", "FERRY_SECRET_TOKEN=s3cret"}, "--health-path", "/healthz")

	res, body := get(t, base+"/healthz")
	if res.StatusCode != 200 || body != `{"status":"ok"}`+"\n" {
		t.Errorf("GET /healthz = %d %q", res.StatusCode, body)
	}
	if res, _ := get(t, base+"/__ferry/health"); res.StatusCode != 200 {
		t.Errorf("GET /__ferry/health with --health-path /healthz = %d; the Worker should answer it", res.StatusCode)
	}
	if _, body := get(t, base+"/"); body != `{"greeting":"from env","token":"s3cret"}` {
		t.Errorf("env = %s", body)
	}
	res, body = get(t, base+"/throw")
	if res.StatusCode != 500 || !strings.HasPrefix(body, "Worker threw exception") || strings.Contains(body, "secret detail") {
		t.Errorf("GET /throw = %d %q: want a 500 without the stack", res.StatusCode, body)
	}
	if _, body := get(t, base+"/__scheduled?cron=*+*+*+*+*"); strings.Contains(body, "Ran scheduled event") {
		t.Errorf("/__scheduled ran the scheduled handler without --test-scheduled")
	}
	res, body = get(t, base+"/fetch?u=http://"+ln.Addr().String()+"/")
	if res.StatusCode != 502 || !strings.Contains(body, "allow_private_fetch") {
		t.Errorf("fetch to 127.0.0.1 = %d %q: want it refused", res.StatusCode, body)
	}

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	msgs := map[string]bool{}
	for _, l := range lines {
		var rec struct {
			Time, Level, Msg string
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Time == "" || rec.Level == "" {
			t.Errorf("log line is not a JSON record with time and level: %q", l)
			continue
		}
		msgs[strings.Fields(rec.Msg + " _")[0]] = true
	}
	if !msgs["ready"] || !msgs["GET"] {
		t.Errorf("log lacks the ready or request lines:\n%s", logs)
	}
	if strings.Contains(logs.String(), "/healthz") {
		t.Errorf("health checks are logged:\n%s", logs)
	}
}

// startServe runs `ferry serve DIR` in process with the given environment
// and returns its base URL and its log.
func startServe(t *testing.T, dir string, environ []string, args ...string) (string, *testutil.SyncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &testutil.SyncBuffer{}
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	wd, _ := os.Getwd()
	getenv := func(k string) string {
		for _, kv := range environ {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v
			}
		}
		return ""
	}
	st := &cli.State{
		Args:   append([]string{"serve", dir, "--port", "0", "--ip", "127.0.0.1"}, args...),
		Stdout: io.Discard, Stderr: stderr,
		Getenv: getenv, Environ: func() []string { return environ },
		Getwd: func() (string, error) { return wd, nil },
		Ctx:   ctx,
		Ready: func(addr string) { ready <- addr },
	}
	go func() { exit <- cli.Main(st) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if code := <-exit; code != 0 {
				t.Errorf("ferry serve exited %d:\n%s", code, stderr.String())
			}
		})
		return "http://" + addr, stderr
	case code := <-exit:
		cancel()
		t.Fatalf("ferry serve exited %d before serving:\n%s", code, stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("ferry serve did not start:\n%s", stderr.String())
	}
	return "", nil
}

// TestServeGracefulShutdown sends SIGTERM to a ferry serve process while
// requests are in flight (handlers that wait, and responses whose waitUntil
// work is still running): every request completes with 200, the waitUntil
// work finishes, new connections are refused once shutdown began, and the
// process exits 0.
func TestServeGracefulShutdown(t *testing.T) {
	bin := buildFerry(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "wrangler.toml"), "name = \"graceful\"\nmain = \"index.js\"\n")
	writeFile(t, filepath.Join(dir, "index.js"), `const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export default {
  async fetch(req, env, ctx) {
    const url = new URL(req.url);
    const n = url.searchParams.get("n");
    console.log("started " + n);
    if (url.pathname === "/slow") {
      await sleep(2000);
      return new Response("slow " + n);
    }
    ctx.waitUntil(sleep(2000).then(() => console.log("waitUntil done " + n)));
    return new Response("waited " + n);
  },
};
`)
	cmd := exec.Command(bin, "serve", dir, "--port", "0", "--ip", "127.0.0.1", "--no-persist", "--grace", "10s")
	addr, logs, exited := startServeProcess(t, cmd)

	const slow, waiting = 20, 10
	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, slow+waiting)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for i := range slow + waiting {
		path := "/slow"
		if i >= slow {
			path = "/wait"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Get(fmt.Sprintf("http://%s%s?n=%d", addr, path, i))
			if err != nil {
				results <- result{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			results <- result{res.StatusCode, string(b), err}
		}()
	}
	// SIGTERM once every request has started, and every /wait has
	// answered (its waitUntil work is running).
	if !waitUntil(20*time.Second, func() bool {
		return strings.Count(logs.String(), `"started `) == slow+waiting && len(results) >= waiting
	}) {
		t.Fatalf("requests did not start:\n%s", logs)
	}
	if strings.Contains(logs.String(), `"waitUntil done `) {
		t.Fatalf("waitUntil work ended before SIGTERM (machine too slow?): the test would prove nothing about it")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes at once: a new connection is refused while the
	// requests above are still running.
	if !waitUntil(5*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		c.Close()
		return false
	}) {
		t.Errorf("new connections are still accepted after SIGTERM")
	}
	wg.Wait()
	close(results)
	counts := map[string]int{}
	for r := range results {
		if r.err != nil || r.status != 200 {
			t.Errorf("request dropped: %d %q %v", r.status, r.body, r.err)
			continue
		}
		counts[strings.Fields(r.body)[0]]++
	}
	if counts["slow"] != slow || counts["waited"] != waiting {
		t.Errorf("responses: %v, want %d slow and %d waited", counts, slow, waiting)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("ferry serve exited with %v, want 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("ferry serve did not exit after SIGTERM")
	}
	if n := strings.Count(logs.String(), `"waitUntil done `); n != waiting {
		t.Errorf("%d of %d waitUntil tasks finished before exit", n, waiting)
	}
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	last := ""
	for sc.Scan() {
		last = sc.Text()
	}
	if !strings.Contains(last, `"msg":"stopped"`) {
		t.Errorf("last log line %q, want the stopped record", last)
	}
}

// copyDir copies the files under from (not node_modules or .ferry) to to.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".ferry") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		copyFile(t, path, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startServeProcess starts cmd, a `ferry serve` with JSON logs, waits for its
// ready record and returns the address it listens on, its log, and a channel
// that receives cmd.Wait's result. The process is killed when the test ends.
func startServeProcess(t *testing.T, cmd *exec.Cmd) (string, *testutil.SyncBuffer, <-chan error) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		if t.Failed() {
			t.Logf("ferry serve log:\n%s", logs)
		}
	})
	var addr string
	if !waitUntil(30*time.Second, func() bool {
		for _, l := range strings.Split(logs.String(), "\n") {
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(l), &rec) == nil && strings.HasPrefix(rec.Msg, "ready on ") {
				addr = strings.TrimPrefix(rec.URL, "http://")
				return true
			}
		}
		return false
	}) {
		t.Fatalf("ferry serve did not start:\n%s", logs)
	}
	return addr, logs, exited
}
