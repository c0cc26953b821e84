//go:build unix

// Package testutil holds helpers shared by tests across Ferry's packages.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// NpmInstall makes sure dir/node_modules matches dir/package-lock.json, for
// tests that bundle an example project. It runs `npm ci --no-audit --no-fund`
// when node_modules is missing or older than the lockfile, and otherwise does
// nothing but a couple of stats. An flock on dir/.ferry/npm.lock serializes
// installs, so test binaries running in parallel (go test ./...) never run npm
// in the same directory at once. A failed install fails the test with npm's
// output.
//
// "Older" compares the lockfile with node_modules/.package-lock.json, which
// npm writes at the end of every install (the directory's own time if absent).
func NpmInstall(t testing.TB, dir string) {
	t.Helper()
	if npmUpToDate(dir) {
		return
	}

	lockDir := filepath.Join(dir, ".ferry") // ignored by git, and not removed by npm ci
	if err := os.MkdirAll(lockDir, 0o755); err != nil {
		t.Fatalf("npm install in %s: %v", dir, err)
		return
	}
	f, err := os.OpenFile(filepath.Join(lockDir, "npm.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("npm install in %s: %v", dir, err)
		return
	}
	defer f.Close()
	if err := flock(f); err != nil {
		t.Fatalf("npm install in %s: locking %s: %v", dir, f.Name(), err)
		return
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)

	// Another process may have installed while we waited for the lock.
	if npmUpToDate(dir) {
		return
	}
	start := time.Now()
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		return
	}
	t.Logf("npm ci in %s took %v", dir, time.Since(start).Round(time.Millisecond))
}

// npmUpToDate reports whether node_modules exists and is not older than the lockfile.
func npmUpToDate(dir string) bool {
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return false // let npm ci explain
	}
	nm := filepath.Join(dir, "node_modules")
	installed, err := os.Stat(filepath.Join(nm, ".package-lock.json"))
	if err != nil {
		if installed, err = os.Stat(nm); err != nil {
			return false
		}
	}
	return !installed.ModTime().Before(lock.ModTime())
}

// flock takes an exclusive lock on f, retrying when a signal interrupts the wait.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
