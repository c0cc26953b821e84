package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run executes the ferry command line in process and returns its exit code,
// stdout and stderr.
func run(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	st := &State{Args: args, Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" },
		Getwd: func() (string, error) { return dir, nil }, Ctx: context.Background()}
	code := Main(st)
	return code, out.String(), errb.String()
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"version"}, 0, "ferry dev\n", ""},
		{[]string{"--version"}, 0, "ferry dev\n", ""},
		{[]string{"help"}, 0, "Usage:", ""},
		{[]string{"help", "dev"}, 0, "-port", ""},
		{[]string{}, 2, "", "Usage:"},
		{[]string{"deploy"}, 2, "", `ferry: unknown command "deploy"`},
		{[]string{"run"}, 2, "", "ferry run needs a FILE"},
		{[]string{"dev", "--port", "x"}, 2, "", `invalid value "x" for flag -port`},
		{[]string{"dev", "a", "b"}, 2, "", "ferry dev takes one directory"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := run(t, t.TempDir(), tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.err) {
				t.Fatalf("code %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
		})
	}
}

func TestRunWaitsForTimersAndExitsZero(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "main.js", `
		const start = Date.now();
		await new Promise((resolve) => setTimeout(resolve, 100));
		console.log("waited", Date.now() - start >= 100 ? "enough" : "too little");
		console.error("to stderr");
		console.log(new TextEncoder().encode("hé").length, new URL("https://a.test/x?y=1").searchParams.get("y"));
	`)
	start := time.Now()
	code, out, errs := run(t, dir, "run", "main.js")
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "waited enough\n3 1\n" || errs != "to stderr\n" {
		t.Fatalf("stdout %q stderr %q", out, errs)
	}
	if took < 100*time.Millisecond || took > 5*time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestRunUncaughtErrorsExitOneWithOriginalLocation(t *testing.T) {
	tests := []struct {
		name, file, src, want string
	}{
		{"throw", "boom.ts", "const n: number = 1;\nfunction f(): never {\n  throw new Error(\"boom \" + n);\n}\nf();\n", "boom.ts:3:"},
		{"rejection", "rej.js", "async function g() { await null; throw new TypeError('late') }\ng();\n", "TypeError: late"},
		{"timer", "timer.js", "setTimeout(() => {\n  null.x;\n}, 1);\n", "timer.js:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.src)
			code, _, errs := run(t, dir, "run", tt.file)
			if code != 1 || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", code, errs, tt.want)
			}
		})
	}
}

func TestRunMissingFileAndBuildError(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := run(t, dir, "run", "nope.js")
	if code != 1 || !strings.Contains(errs, "nope.js") {
		t.Fatalf("missing file: %d %s", code, errs)
	}
	write(t, dir, "bad.js", "import x from './missing.js';\nconsole.log(x)\n")
	code, _, errs = run(t, dir, "run", "bad.js")
	if code != 1 || !strings.Contains(errs, "bad.js:1:") || !strings.Contains(errs, "missing.js") {
		t.Fatalf("build error: %d %s", code, errs)
	}
}

func TestDevReportsBadConfig(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"wrong type", "wrangler.toml", "name = \"x\"\nmain = \"index.js\"\ncompatibility_date = 2026\n", "wrangler.toml:3"},
		{"syntax", "wrangler.jsonc", "{\n  \"name\": \"x\",\n  \"main\": \n}\n", "wrangler.jsonc:"},
		{"no main", "wrangler.toml", "name = \"x\"\n", "no \"main\""},
		{"missing entry", "wrangler.toml", "name = \"x\"\nmain = \"src/nope.js\"\n", "nope.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.content)
			code, _, errs := run(t, dir, "dev", "--port", "0")
			if code != 1 || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant %q", code, errs, tt.want)
			}
		})
	}
	code, _, errs := run(t, t.TempDir(), "dev")
	if code != 1 || !strings.Contains(errs, "wrangler.toml") {
		t.Fatalf("no config: %d %s", code, errs)
	}
}
