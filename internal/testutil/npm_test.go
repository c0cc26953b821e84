//go:build unix

package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeNpm puts an `npm` on PATH that logs its arguments to the returned file
// and then "installs" (recreates node_modules with its hidden lockfile), or
// fails with npm-like output when NPM_FAKE_FAIL is set.
func fakeNpm(t *testing.T) (log string) {
	bin := t.TempDir()
	log = filepath.Join(bin, "calls.log")
	script := `#!/bin/sh
echo "$*" >> "$NPM_FAKE_LOG"
if [ -n "$NPM_FAKE_FAIL" ]; then echo "npm error code EUSAGE" >&2; exit 1; fi
sleep 0.1
rm -rf node_modules && mkdir node_modules && echo '{}' > node_modules/.package-lock.json
`
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("NPM_FAKE_LOG", log)
	return log
}

func npmCalls(t *testing.T, log string) []string {
	b, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// project makes a directory with a lockfile and, optionally, node_modules
// installed at the given time relative to the lockfile's.
func project(t *testing.T, installed *time.Duration) string {
	dir := t.TempDir()
	lock := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(lock, []byte(`{"lockfileVersion":3,"packages":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(-time.Hour)
	if err := os.Chtimes(lock, now, now); err != nil {
		t.Fatal(err)
	}
	if installed != nil {
		hidden := filepath.Join(dir, "node_modules", ".package-lock.json")
		if err := os.MkdirAll(filepath.Dir(hidden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(hidden, []byte(`{}`), 0o644); err != nil {
			t.Fatal(err)
		}
		at := now.Add(*installed)
		if err := os.Chtimes(hidden, at, at); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestNpmInstall(t *testing.T) {
	after, before := time.Minute, -time.Minute
	cases := []struct {
		name      string
		installed *time.Duration
		wantRun   bool
	}{
		{"node_modules missing", nil, true},
		{"node_modules older than the lockfile", &before, true},
		{"node_modules up to date", &after, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := fakeNpm(t)
			dir := project(t, tc.installed)
			NpmInstall(t, dir)
			calls := npmCalls(t, log)
			if tc.wantRun {
				if len(calls) != 1 || calls[0] != "ci --no-audit --no-fund" {
					t.Fatalf("npm calls = %q, want one `npm ci --no-audit --no-fund`", calls)
				}
				if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err != nil {
					t.Fatalf("node_modules not installed: %v", err)
				}
			} else if len(calls) != 0 {
				t.Fatalf("npm calls = %q, want none", calls)
			}
			// Once installed, a second call is a no-op.
			NpmInstall(t, dir)
			if got := len(npmCalls(t, log)); got != len(calls) {
				t.Fatalf("second NpmInstall ran npm again (%d calls)", got)
			}
		})
	}
}

func TestNpmInstallConcurrent(t *testing.T) {
	log := fakeNpm(t)
	dir := project(t, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			NpmInstall(t, dir)
		}()
	}
	wg.Wait()
	if calls := npmCalls(t, log); len(calls) != 1 {
		t.Fatalf("npm ran %d times for 4 concurrent NpmInstall calls, want 1: %q", len(calls), calls)
	}
}

// fatalTB records Fatalf and ends the goroutine like testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()                   {}
func (f *fatalTB) Logf(string, ...any)       {}
func (f *fatalTB) Fatalf(s string, a ...any) { f.msg = fmt.Sprintf(s, a...); runtime.Goexit() }

func TestNpmInstallFailureShowsOutput(t *testing.T) {
	fakeNpm(t)
	t.Setenv("NPM_FAKE_FAIL", "1")
	dir := project(t, nil)
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		NpmInstall(tb, dir)
	}()
	<-done
	if !strings.Contains(tb.msg, "npm ci in "+dir) || !strings.Contains(tb.msg, "npm error code EUSAGE") {
		t.Fatalf("failure message = %q, want the directory and npm's output", tb.msg)
	}
}

// TestNpmInstallRealNpm runs the real npm on a project whose only dependency
// is a local directory, so no registry is needed.
func TestNpmInstallRealNpm(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed")
	}
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("dep/package.json", `{"name":"dep","version":"1.0.0"}`)
	write("package.json", `{"name":"app","version":"1.0.0","dependencies":{"dep":"file:./dep"}}`)
	write("package-lock.json", `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"dep": "file:./dep"}},
    "dep": {"version": "1.0.0"},
    "node_modules/dep": {"resolved": "dep", "link": true}
  }
}`)
	NpmInstall(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "dep", "package.json")); err != nil {
		t.Fatalf("npm ci did not install dep: %v", err)
	}
	if !npmUpToDate(dir) {
		t.Fatal("node_modules is not up to date right after npm ci")
	}
}
