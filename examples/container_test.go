package examples_test

import (
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/internal/cli"
)

// TestBuildContainer builds examples/kv-counter with --target container,
// runs the directory's own ferry binary on it as the image would (ferry
// serve /app --persist-to /data), and reads the Dockerfile: no Docker engine
// is available to build it.
func TestBuildContainer(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("the container's binary runs only on linux/amd64 or arm64")
	}
	out := t.TempDir()
	var stdout, stderr strings.Builder
	wd, _ := os.Getwd()
	code := cli.Main(&cli.State{
		Args:   []string{"build", "--target", "container", "--arch", runtime.GOARCH, "--out", out, "kv-counter"},
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background(),
	})
	if code != 0 {
		t.Fatalf("ferry build --target container = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, target := range []string{"container", "lambda"} {
		var errs strings.Builder
		code = cli.Main(&cli.State{
			Args:   []string{"build", "--target", target, "--out", t.TempDir(), "static-site"},
			Stdout: io.Discard, Stderr: &errs, Getenv: func(string) string { return "" },
			Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background(),
		})
		if code != 1 || !strings.Contains(errs.String(), "static assets") {
			t.Errorf("ferry build --target %s of a Worker with assets = %d %q: want a clear refusal, not a package without its assets", target, code, errs.String())
		}
	}

	// The binary is a static linux executable for this machine.
	f, err := elf.Open(filepath.Join(out, "ferry"))
	if err != nil {
		t.Fatalf("ferry is not an ELF executable: %v", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("ferry is dynamically linked: a distroless static image cannot run it")
		}
	}
	f.Close()
	m, err := manifest.Read(filepath.Join(out, "app", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "kv-counter" || len(m.Bindings.KVNamespaces) != 1 || m.Runtime != "container" {
		t.Errorf("manifest: name %q, %d KV namespaces, runtime %q", m.Name, len(m.Bindings.KVNamespaces), m.Runtime)
	}

	checkDockerfile(t, out)

	// Run it as the image does, with state in its data directory.
	cmd := exec.Command(filepath.Join(out, "ferry"), "serve", filepath.Join(out, "app"), "--persist-to", filepath.Join(out, "data"), "--ip", "127.0.0.1")
	cmd.Env = append(os.Environ(), "PORT=0")
	addr, logs, exited := startServeProcess(t, cmd)
	base := "http://" + addr
	for _, want := range []string{"/a has been visited 1 time\n", "/a has been visited 2 times\n"} {
		if res, body := get(t, base+"/a"); res.StatusCode != 200 || body != want {
			t.Fatalf("GET /a = %d %q, want %q", res.StatusCode, body, want)
		}
	}
	if res, body := get(t, base+"/__ferry/health"); res.StatusCode != 200 || !strings.Contains(body, "ok") {
		t.Errorf("health = %d %q", res.StatusCode, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("ferry serve exited with %v after SIGTERM\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ferry serve did not exit after SIGTERM")
	}
	if entries, _ := os.ReadDir(filepath.Join(out, "data")); len(entries) == 0 {
		t.Errorf("the KV data is not in the data directory")
	}
}

// checkDockerfile reads the Dockerfile instruction by instruction: a base
// image without a shell, files copied from the directory, a non-root user,
// the port, and ferry serve /app as the entry point.
func checkDockerfile(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		instr, args, _ := strings.Cut(line, " ")
		got[strings.ToUpper(instr)] = append(got[strings.ToUpper(instr)], args)
	}
	jsonArray := func(instr string) []string {
		if len(got[instr]) != 1 {
			t.Fatalf("Dockerfile has %d %s lines, want 1:\n%s", len(got[instr]), instr, b)
		}
		var a []string
		if err := json.Unmarshal([]byte(got[instr][0]), &a); err != nil {
			t.Fatalf("%s %s: not the exec (JSON array) form, which needs no shell: %v", instr, got[instr][0], err)
		}
		return a
	}
	if from := got["FROM"]; len(from) != 1 || !(from[0] == "scratch" || strings.HasPrefix(from[0], "gcr.io/distroless/static")) {
		t.Errorf("FROM %v: want scratch or distroless static (no shell)", from)
	}
	if user := got["USER"]; len(user) != 1 || user[0] == "root" || strings.HasPrefix(user[0], "0") {
		t.Errorf("USER %v: want a non-root user", user)
	}
	if expose := got["EXPOSE"]; len(expose) != 1 || expose[0] != "8080" {
		t.Errorf("EXPOSE %v, want 8080", expose)
	}
	if env := got["ENV"]; !slices.Contains(env, "PORT=8080") {
		t.Errorf("ENV %v lacks PORT=8080 (what ferry serve listens on)", env)
	}
	if ep := jsonArray("ENTRYPOINT"); !slices.Equal(ep, []string{"/ferry", "serve", "/app"}) {
		t.Errorf("ENTRYPOINT %q", ep)
	}
	if cmd := jsonArray("CMD"); !slices.Equal(cmd, []string{"--persist-to", "/data"}) {
		t.Errorf("CMD %q", cmd)
	}
	if len(got["RUN"]) > 0 {
		t.Errorf("RUN needs a shell the base image does not have: %v", got["RUN"])
	}
	for _, c := range got["COPY"] {
		fields := strings.Fields(c)
		if strings.HasPrefix(fields[0], "--chown=") {
			if fields[0] != "--chown=65532:65532" {
				t.Errorf("COPY %s: owner is not the USER", c)
			}
			fields = fields[1:]
		}
		if len(fields) != 2 {
			t.Errorf("COPY %s: want SRC DST", c)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, fields[0])); err != nil {
			t.Errorf("COPY %s: %v", c, err)
		}
	}
}
