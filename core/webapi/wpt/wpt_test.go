package wpt

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWPT runs upstream web-platform-tests from a checkout named by WPT_DIR
// and reports pass counts per file and in total; it skips when WPT_DIR is
// unset (the suite is not vendored). Environment:
//
//	WPT_DIR        the checkout (required)
//	WPT_PATHS      comma-separated directories or files under it (default WebCryptoAPI)
//	WPT_TENTATIVE  1 to include .tentative. files
//	WPT_VERBOSE    1 to list every failing subtest with its message
//	WPT_TIMEOUT    per-file time limit (Go duration, default 10m)
//	WPT_MIN        fail unless at least this percentage of subtests pass
//
// Run: WPT_DIR=/path/to/wpt go test ./core/webapi/wpt -run TestWPT -v -timeout 60m
func TestWPT(t *testing.T) {
	root := os.Getenv("WPT_DIR")
	if root == "" {
		t.Skip("WPT_DIR is not set: point it at a web-platform-tests checkout to run upstream tests")
	}
	paths := strings.Split(envOr("WPT_PATHS", "WebCryptoAPI"), ",")
	o := Options{Root: root, Tentative: os.Getenv("WPT_TENTATIVE") == "1"}
	if v := os.Getenv("WPT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("WPT_TIMEOUT: %v", err)
		}
		o.Timeout = d
	}
	verbose := os.Getenv("WPT_VERBOSE") == "1"
	files, err := Files(root, paths, o.Tentative)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .any.js tests under %s in %s", strings.Join(paths, ","), root)
	}
	passed, total := 0, 0
	dirs := map[string][2]int{}
	var dirOrder []string
	for _, f := range files {
		r, err := RunFile(o, f)
		if errors.Is(err, ErrSkipped) {
			t.Logf("SKIP %s: %v", f, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		p, n := r.Passed(), r.Total()
		passed += p
		total += n
		dir := f[:strings.LastIndex(f, "/")]
		if _, ok := dirs[dir]; !ok {
			dirOrder = append(dirOrder, dir)
		}
		d := dirs[dir]
		dirs[dir] = [2]int{d[0] + p, d[1] + n}
		line := fmt.Sprintf("%5d/%-5d %s (%s)", p, n, f, r.Duration.Round(time.Millisecond))
		if r.Harness != "OK" {
			line += " harness " + r.Harness + ": " + firstLine(r.HarnessMessage)
		}
		t.Log(line)
		if verbose {
			if r.Harness != "OK" && r.HarnessMessage != "" {
				t.Logf("    harness: %s", r.HarnessMessage)
			}
			for _, s := range r.Subtests {
				if s.Status != "PASS" {
					t.Logf("    %s %s: %s", s.Status, s.Name, s.Message)
				}
			}
		}
	}
	for _, d := range dirOrder {
		c := dirs[d]
		t.Logf("%5d/%-5d %5.1f%% %s", c[0], c[1], pct(c[0], c[1]), d)
	}
	t.Logf("total: %d/%d subtests pass (%.2f%%) in %d files", passed, total, pct(passed, total), len(files))
	if v := os.Getenv("WPT_MIN"); v != "" {
		min, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("WPT_MIN: %v", err)
		}
		if pct(passed, total) < min {
			t.Errorf("pass rate %.2f%% is below WPT_MIN %.2f%%", pct(passed, total), min)
		}
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
