package examples_test

import (
	"context"
	"debug/buildinfo"
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
	// The binary is ferry serve alone (cmd/serve), with the AWS SDK: the
	// KV namespace may live on DynamoDB (FERRY_KV_<BINDING>).
	checkServeBinary(t, filepath.Join(out, "ferry"), false)

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

	// A Worker without KV, R2 or queue bindings gets ferry serve without
	// the AWS SDK; it serves as the image runs it, and takes the ferry
	// command's serve flags.
	hello := t.TempDir()
	stdout.Reset()
	stderr.Reset()
	code = cli.Main(&cli.State{
		Args:   []string{"build", "--target", "container", "--arch", runtime.GOARCH, "--out", hello, "hello"},
		Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background(),
	})
	if code != 0 {
		t.Fatalf("ferry build --target container hello = %d\n%s%s", code, stdout.String(), stderr.String())
	}
	checkServeBinary(t, filepath.Join(hello, "ferry"), true)
	cmd = exec.Command(filepath.Join(hello, "ferry"), "serve", filepath.Join(hello, "app"), "--persist-to", filepath.Join(hello, "data"),
		"--ip", "127.0.0.1", "--port", "0", "--health-path", "/healthz", "--grace", "5s")
	addr, logs, exited = startServeProcess(t, cmd)
	if res, body := get(t, "http://"+addr+"/"); res.StatusCode != 200 || !strings.Contains(body, "Hello from Ferry!") {
		t.Errorf("GET / = %d %q, want the Worker's greeting", res.StatusCode, body)
	}
	if res, _ := get(t, "http://"+addr+"/healthz"); res.StatusCode != 200 {
		t.Errorf("GET /healthz (--health-path) = %d", res.StatusCode)
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
	// The serve-only binary serves build directories only, and says so.
	b, err := exec.Command(filepath.Join(hello, "ferry"), "serve", "hello", "--port", "0").CombinedOutput()
	if err == nil || !strings.Contains(string(b), "not a build directory") {
		t.Errorf("ferry serve PROJECT with the container's binary: %v %q, want a refusal naming the build directory", err, b)
	}
}

// checkServeBinary checks that the binary at path is cmd/serve (ferry serve
// alone, not the whole ferry command) and whether it was built without the
// AWS SDK.
func checkServeBinary(t *testing.T, path string, noAWS bool) {
	t.Helper()
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the build info of %s: %v", path, err)
	}
	if bi.Path != "github.com/ferry-run/ferry/cmd/serve" {
		t.Errorf("%s is %s, want github.com/ferry-run/ferry/cmd/serve", path, bi.Path)
	}
	tags := ""
	for _, s := range bi.Settings {
		if s.Key == "-tags" {
			tags = s.Value
		}
	}
	if got := slices.Contains(strings.Split(tags, ","), "ferry_noaws"); got != noAWS {
		t.Errorf("%s built with tags %q: ferry_noaws %v, want %v", path, tags, got, noAWS)
	}
	for _, d := range bi.Deps {
		if strings.Contains(d.Path, "esbuild") {
			t.Errorf("%s links %s: the container's binary needs no bundler", path, d.Path)
		}
		if noAWS && strings.HasPrefix(d.Path, "github.com/aws/aws-sdk-go-v2/service/") {
			t.Errorf("%s links %s though the Worker has no AWS binding", path, d.Path)
		}
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
