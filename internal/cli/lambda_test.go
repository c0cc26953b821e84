package cli

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/internal/testutil"
)

func TestLambdaEnv(t *testing.T) {
	m := &manifest.Manifest{
		Vars:    map[string]any{"GREETING": "hi", "CONFIG": map[string]any{"a": 1.0}, "KEEP": "kept"},
		Secrets: []string{"API_KEY", "TOKEN"},
	}
	environ := []string{
		"AWS_REGION=us-east-1", "AWS_SECRET_ACCESS_KEY=never", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001",
		"LAMBDA_TASK_ROOT=/var/task", "_HANDLER=bootstrap", "PATH=/usr/bin", "TZ=:UTC",
		"GREETING=from lambda", `CONFIG={"a":2}`, "EXTRA=1=2",
		"FERRY_VAR_GREETING=from FERRY_VAR", "FERRY_SECRET_API_KEY=k1", "TOKEN=t1", "FERRY_INVOKE_MODE=RESPONSE_STREAM",
	}
	spec, err := lambdaEnv(m, environ)
	if err != nil {
		t.Fatal(err)
	}
	wantVars := map[string]any{"GREETING": "from FERRY_VAR", "CONFIG": map[string]any{"a": 2.0}, "KEEP": "kept", "EXTRA": "1=2"}
	wantSecrets := map[string]string{"API_KEY": "k1", "TOKEN": "t1"}
	if !reflect.DeepEqual(spec.Vars, wantVars) || !reflect.DeepEqual(spec.Secrets, wantSecrets) {
		t.Fatalf("vars %v secrets %v\nwant %v %v", spec.Vars, spec.Secrets, wantVars, wantSecrets)
	}

	_, err = lambdaEnv(m, []string{"TOKEN=t1"})
	if err == nil || !strings.Contains(err.Error(), "requires the secret(s) API_KEY") || !strings.Contains(err.Error(), "FERRY_SECRET_API_KEY") {
		t.Fatalf("missing secret: %v", err)
	}
}

// ferryBinary builds ./cmd/ferry as Lambda runs it (static, linux) into a
// temporary directory; the build cache makes it quick after the first time.
func ferryBinary(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "ferry")
	// -s -w as ferry build's own cross-compile; no -trimpath, so the
	// packages `go test` already compiled are reused.
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", out, "./cmd/ferry")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ferry: %v\n%s", err, b)
	}
	return out
}

// bootstrapBinary builds ./cmd/bootstrap, the Lambda runtime alone, as
// ferry build cross-compiles it for a Worker without AWS bindings (hello
// and hono).
func bootstrapBinary(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-tags", bootstrapTags+","+noAWSTag, "-o", out, "./cmd/bootstrap")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/bootstrap: %v\n%s", err, b)
	}
	return out
}

func TestNeedsAWS(t *testing.T) {
	for _, c := range []struct {
		m    manifest.Manifest
		want bool
	}{
		{manifest.Manifest{}, false},
		{manifest.Manifest{Bindings: manifest.Bindings{KVNamespaces: []config.KVNamespace{{Binding: "KV"}}}}, true},
		{manifest.Manifest{Bindings: manifest.Bindings{R2Buckets: []config.R2Bucket{{Binding: "B"}}}}, true},
		{manifest.Manifest{Bindings: manifest.Bindings{QueueProducers: []config.QueueProducer{{Binding: "Q"}}}}, true},
		{manifest.Manifest{Consumers: []manifest.Consumer{{Queue: "q"}}}, true},
		{manifest.Manifest{Bindings: manifest.Bindings{D1Databases: []manifest.D1Database{{Binding: "DB"}}}}, false},
	} {
		if got := needsAWS(&c.m); got != c.want {
			t.Errorf("needsAWS(%+v) = %v, want %v", c.m, got, c.want)
		}
	}
}

func TestBuildLambdaUsage(t *testing.T) {
	wd, _ := os.Getwd()
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"build", "x"}, 2, "ferry build needs --target (lambda"},
		{[]string{"build", "--target", "k8s"}, 2, `unknown --target "k8s"`},
		{[]string{"build", "--target", "lambda", "--arch", "mips"}, 2, `--arch "mips": want x86_64 or arm64`},
		{[]string{"build", "--target", "lambda", "--bootstrap", "/etc/hostname", "../../examples/hello", "--out", t.TempDir()}, 1, "--bootstrap /etc/hostname: not a Linux executable"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := run(t, wd, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.err)
			}
		})
	}
}

// TestLambda builds ferry as Lambda runs it (once: linking takes seconds),
// then builds packages with it and runs their bootstrap.
func TestLambda(t *testing.T) {
	ferry := ferryBinary(t)
	t.Run("build", func(t *testing.T) { testBuildLambda(t, ferry) })
	t.Run("bootstrap", func(t *testing.T) { testLambdaBootstrap(t, ferry) })
	t.Run("init time", func(t *testing.T) {
		if testing.Short() {
			t.Skip("starts the bootstrap 10 times")
		}
		testLambdaInitTime(t, ferry, bootstrapBinary(t))
	})
}

func testBuildLambda(t *testing.T, ferry string) {
	wd, _ := os.Getwd()
	out := filepath.Join(t.TempDir(), "pkg")
	code, stdout, stderr := run(t, wd, "build", "--target", "lambda", "../../examples/hello", "--out", out, "--bootstrap", ferry)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Built hello for AWS Lambda (provided.al2023, x86_64)", "bootstrap", "(--bootstrap)", "pkg.zip", "(deploy this)", "Handlers: fetch, scheduled", `Cron triggers: "*/15 * * * *"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	t.Logf("ferry build output:\n%s", stdout)

	m, err := manifest.Read(filepath.Join(out, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "hello" || m.Entry != "src/index.js" || m.Format != "module" || m.Architecture != "x86_64" ||
		m.Runtime != "provided.al2023" || m.Handler != "bootstrap" || m.CompatibilityDate != "2026-11-01" ||
		!reflect.DeepEqual(m.Handlers, []string{"fetch", "scheduled"}) || !reflect.DeepEqual(m.Crons, []string{"*/15 * * * *"}) ||
		m.Vars["GREETING"] != "Hello from Ferry!" || m.FerryVersion != Version {
		t.Errorf("manifest = %+v", m)
	}

	// The zip holds the directory's files, bootstrap executable.
	zr, err := zip.OpenReader(out + ".zip")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		inZip, _ := io.ReadAll(rc)
		rc.Close()
		onDisk, _ := os.ReadFile(filepath.Join(out, f.Name))
		if !bytes.Equal(inZip, onDisk) {
			t.Errorf("%s differs between the zip and the directory", f.Name)
		}
		if f.Name == "bootstrap" && f.Mode().Perm() != 0o755 {
			t.Errorf("bootstrap mode in the zip = %v", f.Mode())
		}
	}
	sort.Strings(names)
	if want := []string{"bootstrap", "manifest.json", "worker.goja.map", "worker.js", "worker.js.map"}; !reflect.DeepEqual(names, want) {
		t.Errorf("zip entries %q, want %q", names, want)
	}
	if st, _ := os.Stat(out + ".zip"); st.Size() > 20<<20 {
		t.Errorf("zip is %d bytes, over the 20 MB target", st.Size())
	}

	// Without --bootstrap, ferry (here a test binary, not a ferry build)
	// cross-compiles one from the module the working directory is in.
	out2 := filepath.Join(t.TempDir(), "pkg")
	code, stdout, stderr = run(t, wd, "build", "--target", "lambda", "../../examples/hello", "--out", out2)
	if code != 0 || !strings.Contains(stdout, "(cross-compiled for linux/amd64)") {
		t.Fatalf("cross-compiled build: exit %d\n%s%s", code, stdout, stderr)
	}
	if err := checkLinuxBinary(filepath.Join(out2, "bootstrap"), "amd64"); err != nil {
		t.Errorf("cross-compiled bootstrap: %v", err)
	}

	// A static linux ferry outside the source tree copies itself.
	out3 := filepath.Join(t.TempDir(), "pkg")
	hello, _ := filepath.Abs("../../examples/hello")
	cmd := exec.Command(ferry, "build", "--target", "lambda", hello, "--out", out3)
	cmd.Dir = t.TempDir()
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "(this ferry binary)") {
		t.Fatalf("ferry build by a static ferry: %v\n%s", err, b)
	}
	self, _ := os.ReadFile(ferry)
	copied, _ := os.ReadFile(filepath.Join(out3, "bootstrap"))
	if !bytes.Equal(self, copied) {
		t.Errorf("the bootstrap is not a copy of the ferry that built it")
	}

	// A bootstrap for the wrong architecture is refused.
	code, _, stderr = run(t, wd, "build", "--target", "lambda", "--arch", "arm64", "../../examples/hello", "--out", filepath.Join(t.TempDir(), "a"), "--bootstrap", ferry)
	if code != 1 || !strings.Contains(stderr, "built for EM_X86_64, not EM_AARCH64") {
		t.Errorf("arm64 with an x86_64 bootstrap: exit %d %q", code, stderr)
	}
}

// runtimeAPI is a Lambda Runtime API (2018-06-01) on 127.0.0.1 for one
// bootstrap process: it hands out queued events on GET .../invocation/next
// and records what the runtime posts back.
type runtimeAPI struct {
	srv      *httptest.Server
	events   chan string
	results  chan runtimeResult
	initErr  chan string
	done     chan struct{}
	nextOnce sync.Once
	firstGet chan time.Time
	pid      int
	cpu      time.Duration // the bootstrap's CPU time when it first asked for an event
	seq      int
	mu       sync.Mutex
}

type runtimeResult struct {
	id, kind    string // kind: "response" or "error"
	contentType string
	body        []byte
	chunked     bool
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	a := &runtimeAPI{events: make(chan string, 16), results: make(chan runtimeResult, 16), initErr: make(chan string, 1),
		done: make(chan struct{}), firstGet: make(chan time.Time, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		a.nextOnce.Do(func() {
			now := time.Now()
			a.mu.Lock()
			a.cpu = processCPU(a.pid)
			a.mu.Unlock()
			a.firstGet <- now
		})
		select {
		case ev := <-a.events:
			a.mu.Lock()
			a.seq++
			id := fmt.Sprintf("req-%d", a.seq)
			a.mu.Unlock()
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", fmt.Sprint(time.Now().Add(10*time.Second).UnixMilli()))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:test")
			w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
			io.WriteString(w, ev)
		case <-r.Context().Done():
		case <-a.done:
		}
	})
	post := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			a.results <- runtimeResult{id: r.PathValue("id"), kind: kind, contentType: r.Header.Get("Content-Type"), body: body,
				chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", post("response"))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", post("error"))
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.initErr <- r.Header.Get("Lambda-Runtime-Function-Error-Type") + " " + string(b)
		w.WriteHeader(http.StatusAccepted)
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(a.done)
		a.srv.Close()
	})
	return a
}

// start runs the bootstrap in dir against the API and returns the time from
// process start to its first request for an event (init).
func (a *runtimeAPI) start(t *testing.T, bootstrap string, env ...string) (time.Duration, *testutil.SyncBuffer) {
	t.Helper()
	stderr := &testutil.SyncBuffer{}
	cmd := exec.Command(bootstrap)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(a.srv.URL, "http://"),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "AWS_REGION=us-east-1", "PATH=/usr/bin:/bin"}, env...)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	begin := time.Now()
	a.mu.Lock() // held until the pid is known, so the first GET reads the right process
	if err := cmd.Start(); err != nil {
		a.mu.Unlock()
		t.Fatal(err)
	}
	a.pid = cmd.Process.Pid
	a.mu.Unlock()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	select {
	case at := <-a.firstGet:
		return at.Sub(begin), stderr
	case err := <-exited:
		t.Fatalf("bootstrap exited before asking for an event: %v\n%s", err, stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("bootstrap did not ask for an event:\n%s", stderr)
	}
	return 0, nil
}

func (a *runtimeAPI) invoke(t *testing.T, event string) runtimeResult {
	t.Helper()
	a.events <- event
	select {
	case r := <-a.results:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("no result from the bootstrap")
	}
	return runtimeResult{}
}

func buildPackage(t *testing.T, ferry, example string) string {
	t.Helper()
	wd, _ := os.Getwd()
	out := filepath.Join(t.TempDir(), "pkg")
	code, _, stderr := run(t, wd, "build", "--target", "lambda", filepath.Join("..", "..", "examples", example), "--out", out, "--bootstrap", ferry)
	if code != 0 {
		t.Fatalf("ferry build %s: exit %d: %s", example, code, stderr)
	}
	return out
}

const functionURLEvent = `{"version":"2.0","routeKey":"$default","rawPath":%q,"rawQueryString":"","cookies":["session=abc"],
"headers":{"host":"abc.lambda-url.us-east-1.on.aws","x-forwarded-proto":"https"},
"requestContext":{"domainName":"abc.lambda-url.us-east-1.on.aws","http":{"method":%q,"path":%q,"protocol":"HTTP/1.1","sourceIp":"192.0.2.1"}},
"body":%q,"isBase64Encoded":false}`

// testLambdaBootstrap runs the built package's bootstrap as Lambda would,
// against a Runtime API on 127.0.0.1 that follows the documented contract
// (the AWS Runtime Interface Emulator cannot be fetched here: its module
// path is not served by the Go module proxy).
func testLambdaBootstrap(t *testing.T, ferry string) {
	pkg := buildPackage(t, ferry, "hello")

	t.Run("buffered", func(t *testing.T) {
		api := newRuntimeAPI(t)
		initTime, logs := api.start(t, filepath.Join(pkg, "bootstrap"), "GREETING=Hello from Lambda config!")
		t.Logf("init (process start → first event request): %v", initTime)

		r := api.invoke(t, fmt.Sprintf(functionURLEvent, "/", "GET", "/", ""))
		var res struct {
			StatusCode int
			Headers    map[string]string
			Body       string
		}
		if err := json.Unmarshal(r.body, &res); err != nil || r.kind != "response" {
			t.Fatalf("%s: %s (%v)", r.kind, r.body, err)
		}
		if res.StatusCode != 200 || res.Body != "Hello from Lambda config!\n" || res.Headers["content-type"] != "text/plain; charset=utf-8" {
			t.Fatalf("GET / = %+v", res)
		}

		r = api.invoke(t, `{"ferry":{"cron":"*/15 * * * *","scheduledTime":"2026-11-01T12:15:00Z"}}`)
		if r.kind != "response" || string(r.body) != `{"outcome":"ok"}` {
			t.Fatalf("scheduled: %s %s", r.kind, r.body)
		}
		r = api.invoke(t, `{"Records":[{"eventSource":"aws:kinesis","kinesis":{}}]}`)
		if r.kind != "error" || !strings.Contains(string(r.body), `Records from \"aws:kinesis\"`) {
			t.Fatalf("unknown event: %s %s", r.kind, r.body)
		}
		// The process lives on after the failed invocation.
		r = api.invoke(t, fmt.Sprintf(functionURLEvent, "/json", "GET", "/json", ""))
		if r.kind != "response" || !strings.Contains(string(r.body), `\"path\":\"/json\"`) {
			t.Fatalf("after the error: %s %s", r.kind, r.body)
		}
		waitFor(t, logs, "cron */15 * * * * fired at 2026-11-01T12:15:00.000Z")
		waitFor(t, logs, "GET / 200")
	})

	t.Run("streaming", func(t *testing.T) {
		api := newRuntimeAPI(t)
		api.start(t, filepath.Join(pkg, "bootstrap"), "FERRY_INVOKE_MODE=RESPONSE_STREAM")
		r := api.invoke(t, fmt.Sprintf(functionURLEvent, "/", "GET", "/", ""))
		if r.kind != "response" || r.contentType != "application/vnd.awslambda.http-integration-response" || !r.chunked {
			t.Fatalf("streamed response: %s, content-type %q, chunked %v", r.kind, r.contentType, r.chunked)
		}
		prelude, body, ok := bytes.Cut(r.body, make([]byte, 8))
		if !ok || !strings.Contains(string(prelude), `"statusCode":200`) || string(body) != "Hello from Ferry!\n" {
			t.Fatalf("streamed body %q", r.body)
		}
	})

	t.Run("init error", func(t *testing.T) {
		api := newRuntimeAPI(t)
		broken := t.TempDir()
		data, _ := os.ReadFile(filepath.Join(pkg, "bootstrap"))
		os.WriteFile(filepath.Join(broken, "bootstrap"), data, 0o755)
		cmd := exec.Command(filepath.Join(broken, "bootstrap"))
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.srv.URL, "http://")}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("bootstrap without a package exited 0:\n%s", out)
		}
		select {
		case msg := <-api.initErr:
			if !strings.Contains(msg, "Ferry.InitError") || !strings.Contains(msg, "manifest.json") {
				t.Fatalf("init error %q", msg)
			}
		default:
			t.Fatalf("no init error was reported; output:\n%s", out)
		}
	})
}

// processCPU is the CPU time all threads of pid have used so far (Linux
// schedstat, nanoseconds), or 0 when unknown.
func processCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var total time.Duration
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var ns int64
		fmt.Sscan(string(b), &ns)
		total += time.Duration(ns)
	}
	return total
}

func waitFor(t *testing.T, logs *testutil.SyncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", want, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testLambdaInitTime measures the bootstrap's cold start, process start to
// its first request for an event, for examples/hello and examples/hono, with
// the ferry binary and with cmd/bootstrap (what ferry build cross-compiles)
// as the bootstrap, and checks the first invocation is answered. Run with -v
// for the figures.
func testLambdaInitTime(t *testing.T, ferry, lean string) {
	testutil.NpmInstall(t, filepath.Join("..", "..", "examples", "hono"))
	for _, ex := range []struct{ name, bootstrap, path, body string }{
		{"hello", ferry, "/", "Hello from Ferry!\n"},
		{"hono", ferry, "/", "Hello from Hono on Ferry!"},
		{"hello/cmd-bootstrap", lean, "/", "Hello from Ferry!\n"},
		{"hono/cmd-bootstrap", lean, "/", "Hello from Hono on Ferry!"},
	} {
		t.Run(ex.name, func(t *testing.T) {
			pkg := buildPackage(t, ex.bootstrap, strings.Split(ex.name, "/")[0])
			var times, cpu []time.Duration
			var ready []string
			for range 5 {
				api := newRuntimeAPI(t)
				d, logs := api.start(t, filepath.Join(pkg, "bootstrap"))
				times = append(times, d)
				cpu = append(cpu, api.cpu)
				if _, after, ok := strings.Cut(logs.String(), "Worker ready in "); ok {
					ready = append(ready, strings.TrimSpace(strings.SplitN(after, "\n", 2)[0]))
				}
				r := api.invoke(t, fmt.Sprintf(functionURLEvent, ex.path, "GET", ex.path, ""))
				var res struct {
					StatusCode      int
					Body            string
					IsBase64Encoded bool
				}
				json.Unmarshal(r.body, &res)
				body := res.Body
				if res.IsBase64Encoded {
					b, _ := base64.StdEncoding.DecodeString(body)
					body = string(b)
				}
				if res.StatusCode != 200 || body != ex.body {
					t.Fatalf("GET %s = %s", ex.path, r.body)
				}
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			sort.Slice(cpu, func(i, j int) bool { return cpu[i] < cpu[j] })
			t.Logf("%s init, process start → first event request: median %v, min %v, max %v; CPU time (all threads) median %v; in-process load+compile+runtime: %v",
				ex.name, times[2].Round(100*time.Microsecond), times[0].Round(100*time.Microsecond), times[4].Round(100*time.Microsecond), cpu[2].Round(100*time.Microsecond), ready)
			if times[2] > 2*time.Second {
				t.Errorf("median init %v is far over the targets (30 ms hello, 80 ms hono)", times[2])
			}
		})
	}
}
