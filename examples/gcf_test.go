package examples_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/cli"
	"github.com/ferry-run/ferry/internal/testutil"
)

// TestBuildGCF builds examples/hello with --target gcf, builds the generated
// module without network (GOPROXY=off, its vendor directory), and serves
// both entry points as Cloud Functions would (FUNCTION_TARGET, PORT). The
// first run compiles every vendored package (about a minute on 2 cores);
// -trimpath lets later runs reuse the build cache (a few seconds).
func TestBuildGCF(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the generated function module (-short skips it)")
	}
	ferry := func(args ...string) (int, string) {
		var out, errs strings.Builder
		wd, _ := os.Getwd()
		code := cli.Main(&cli.State{Args: args, Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" },
			Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background()})
		return code, out.String() + errs.String()
	}
	if code, out := ferry("build", "--target", "gcf", "--out", t.TempDir(), "kv-counter"); code != 1 || !strings.Contains(out, "KV namespace COUNTS") {
		t.Errorf("building kv-counter for GCF = %d %q: want a clear failure naming the binding without a Google Cloud backend", code, out)
	}

	out := t.TempDir()
	if code, msg := ferry("build", "--target", "gcf", "--out", out, "hello"); code != 0 {
		t.Fatalf("ferry build --target gcf = %d\n%s", code, msg)
	}
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"gcloud functions deploy hello --gen2 --runtime go1",
		"--source . --entry-point worker --trigger-http --allow-unauthenticated",
		"--entry-point workerEvents --trigger-topic hello-cron --no-allow-unauthenticated",
		`--schedule '*/15 * * * *' --topic hello-cron --message-body '{"ferry":{"cron":"*/15 * * * *"}}'`,
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}

	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	goCmd := func(args ...string) {
		t.Helper()
		cmd := exec.Command(gobin, args...)
		cmd.Dir = out
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=vendor", "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the generated module: %v\n%s", strings.Join(args, " "), err, b)
		}
	}
	start := time.Now()
	goCmd("build", "-trimpath", "./...")
	fn := filepath.Join(t.TempDir(), "fn")
	goCmd("build", "-trimpath", "-o", fn, "./cmd")
	t.Logf("built the function in %v", time.Since(start).Round(time.Millisecond))

	serve := func(target string) (string, *testutil.SyncBuffer) {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cmd := exec.Command(fn)
		cmd.Env = append(os.Environ(), "FUNCTION_TARGET="+target, "PORT="+strconv.Itoa(port), "HOST=127.0.0.1")
		logs := &testutil.SyncBuffer{}
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		if !waitUntil(20*time.Second, func() bool {
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			if err == nil {
				c.Close()
			}
			return err == nil
		}) {
			t.Fatalf("%s did not listen:\n%s", target, logs)
		}
		return base, logs
	}

	base, _ := serve("worker")
	if res, body := get(t, base+"/"); res.StatusCode != 200 || body != "Hello from Ferry!\n" {
		t.Errorf("GET / on the HTTP function = %d %q", res.StatusCode, body)
	}
	base, logs := serve("workerEvents")
	res, err := http.Post(base+"/", "application/json", strings.NewReader(`{"ferry":{"cron":"*/15 * * * *"}}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	// The log reaches the buffer through a pipe: wait for it.
	if res.StatusCode != 204 || !waitUntil(5*time.Second, func() bool { return strings.Contains(logs.String(), "cron */15 * * * * fired at") }) {
		t.Errorf("scheduled event on the event function = %d\n%s", res.StatusCode, logs)
	}
}
