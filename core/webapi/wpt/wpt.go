// Package wpt runs upstream web-platform-tests (WPT) testharness.js suites in
// a Ferry runtime, the same one Workers and `ferry run` get (core/webapi), so
// their pass rate measures what users see.
//
// A WPT checkout is not part of this repository (its tests stay upstream):
// point Options.Root at one. For each `.any.js` test file the runner does what
// WPT's generated worker wrapper (`.any.worker.js`) does: it loads
// /resources/testharness.js, then every `// META: script=` include in order,
// then the test file, and collects the subtest results from testharness's
// completion callback. With no window or worker global, testharness takes the
// "shell" environment: the file completes when every test it registered has
// finished (or when it calls done() itself), so tests registered after an
// asynchronous setup are waited for. Scripts are classic scripts, run
// one after another in one global scope, as importScripts does.
//
// The environment is a worker's as far as tests can tell: `self`, a
// `GLOBAL` object whose isWorker() is true (WPT's wrapper defines it) and a
// `location` naming the test file. Nothing else is added: a global a test
// wants and Ferry lacks is a failure to report, not to paper over.
//
// Variants (`// META: variant=?1-10`) split a file into chunks in WPT's
// runner; here a file runs whole, once, so each subtest counts once. Files
// whose `// META: global=` names no worker kind (window-only tests) are
// skipped, as are `.tentative.` files unless Options.Tentative is set.
//
// This package is generic: it runs any directory of `.any.js` testharness
// tests (WebCryptoAPI, encoding, url, streams, fetch/api/headers, ...).
package wpt

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
)

// Options configure a run.
type Options struct {
	// Root is the WPT checkout: the directory holding resources/ and the
	// test directories.
	Root string
	// Timeout bounds one test file in wall-clock time; when it passes, the
	// harness is told to time out (unfinished subtests count as TIMEOUT).
	// Zero means 10 minutes.
	Timeout time.Duration
	// Tentative includes `.tentative.` test files.
	Tentative bool
	// Console receives the tests' console output; nil drops it.
	Console func(level, line string)
}

// Subtest is one testharness test's outcome.
type Subtest struct {
	Name    string
	Status  string // PASS, FAIL, TIMEOUT, NOTRUN, PRECONDITION_FAILED
	Message string
}

// Result is one test file's outcome.
type Result struct {
	// File is the test's path relative to Root, with forward slashes.
	File string
	// Harness is the harness status: OK, ERROR, TIMEOUT or
	// PRECONDITION_FAILED; HarnessMessage says why when it is not OK.
	Harness        string
	HarnessMessage string
	Subtests       []Subtest
	Duration       time.Duration
}

// Passed counts the subtests that passed.
func (r *Result) Passed() int {
	n := 0
	for _, s := range r.Subtests {
		if s.Status == "PASS" {
			n++
		}
	}
	return n
}

// Total counts the subtests, plus one for a harness status other than OK
// (a file that errors before registering its tests must not vanish from the
// count).
func (r *Result) Total() int {
	if r.Harness != "OK" {
		return len(r.Subtests) + 1
	}
	return len(r.Subtests)
}

// Files lists the runnable `.any.js` test files under the given paths
// (directories or files, relative to root), sorted, relative to root.
func Files(root string, paths []string, tentative bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		base := filepath.Join(root, filepath.FromSlash(p))
		err := filepath.WalkDir(base, func(file string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(file, ".any.js") {
				return nil
			}
			if !tentative && strings.Contains(filepath.Base(file), ".tentative.") {
				return nil
			}
			rel, err := filepath.Rel(root, file)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing WPT tests under %s: %w", base, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

// meta is what a test file's `// META:` header says.
type meta struct {
	scripts []string
	globals []string
}

func readMeta(src string) meta {
	var m meta
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, "// META:")
		if !ok {
			if strings.HasPrefix(line, "//") {
				continue
			}
			break // META lines come first
		}
		key, value, _ := strings.Cut(strings.TrimSpace(rest), "=")
		switch strings.TrimSpace(key) {
		case "script":
			m.scripts = append(m.scripts, strings.TrimSpace(value))
		case "global":
			for g := range strings.SplitSeq(value, ",") {
				m.globals = append(m.globals, strings.TrimSpace(g))
			}
		}
	}
	return m
}

// forWorkers reports whether a file's globals include a worker kind (or the
// default, window + dedicated worker, when it names none).
func (m meta) forWorkers() bool {
	if len(m.globals) == 0 {
		return true
	}
	for _, g := range m.globals {
		switch strings.TrimPrefix(g, "!") {
		case "worker", "dedicatedworker", "dedicatedworker-module", "sharedworker",
			"serviceworker", "serviceworker-module", "jsshell":
			if !strings.HasPrefix(g, "!") {
				return true
			}
		}
	}
	return false
}

// ErrSkipped is returned by RunFile for a file that does not run in workers.
var ErrSkipped = errors.New("not a worker test (META: global)")

// prelude makes the global scope look like WPT's worker wrapper's.
const prelude = `
globalThis.GLOBAL = {
  isWindow() { return false; },
  isWorker() { return true; },
  isShadowRealm() { return false; },
};
if (!("location" in globalThis)) globalThis.location = new URL(__wptLocation);
`

// reporter is added after testharness.js loads; it hands the completion
// results to Go as JSON.
const reporter = `
add_completion_callback(function (tests, status) {
  __wptReport(JSON.stringify({
    status: status.status,
    message: status.message,
    tests: tests.map(function (t) { return [t.name, t.status, t.message]; }),
  }));
});
`

var (
	statusNames  = []string{"PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"}
	harnessNames = []string{"OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED"}
)

func name(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("status %d", i)
}

// RunFile runs one test file (relative to o.Root) in a fresh runtime.
func RunFile(o Options, file string) (*Result, error) {
	start := time.Now()
	src, err := os.ReadFile(filepath.Join(o.Root, filepath.FromSlash(file)))
	if err != nil {
		return nil, fmt.Errorf("reading WPT test: %w", err)
	}
	m := readMeta(string(src))
	if !m.forWorkers() {
		return nil, ErrSkipped
	}
	type script struct{ name, src string }
	scripts := []script{}
	load := func(ref string) error {
		p := ref
		if !strings.HasPrefix(p, "/") {
			p = path.Join(path.Dir("/"+file), p)
		}
		b, err := os.ReadFile(filepath.Join(o.Root, filepath.FromSlash(strings.TrimPrefix(p, "/"))))
		if err != nil {
			return fmt.Errorf("reading %s (included by %s): %w", ref, file, err)
		}
		scripts = append(scripts, script{p, string(b)})
		return nil
	}
	if err := load("/resources/testharness.js"); err != nil {
		return nil, err
	}
	scripts = append(scripts, script{"(reporter)", reporter})
	for _, s := range m.scripts {
		if err := load(s); err != nil {
			return nil, err
		}
	}
	scripts = append(scripts, script{"/" + file, string(src)})

	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Minute
	}

	l := loop.New(goja.New())
	res := &Result{File: file}
	var (
		mu       sync.Mutex
		finished bool
		errs     []string
	)
	scope := loop.NewScope(0)
	scope.OnError = func(err error) { errs = append(errs, errorText(err)) }
	scope.OnUnhandledRejection = func(v goja.Value) {
		errs = append(errs, "unhandled rejection: "+valueText(v))
	}
	var reportErr error
	l.RunTask(scope, func(vm *goja.Runtime) error {
		webapi.Install(l, webapi.Options{
			Console: o.Console,
			ReportError: func(v goja.Value) {
				errs = append(errs, "reportError: "+valueText(v))
			},
		})
		g := vm.GlobalObject()
		_ = g.Set("__wptLocation", "https://web-platform.test:8443/"+file)
		_ = g.Set("__wptReport", func(js string) {
			var r struct {
				Status  int
				Message *string
				Tests   [][]any
			}
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				reportErr = fmt.Errorf("decoding the harness's results: %w", err)
			}
			res.Harness = name(harnessNames, r.Status)
			if r.Message != nil {
				res.HarnessMessage = *r.Message
			}
			for _, t := range r.Tests {
				st := Subtest{}
				st.Name, _ = t[0].(string)
				n, _ := t[1].(float64)
				st.Status = name(statusNames, int(n))
				st.Message, _ = t[2].(string)
				res.Subtests = append(res.Subtests, st)
			}
			mu.Lock()
			finished = true
			mu.Unlock()
			l.Stop()
		})
		// The scripts run nested in one native call so that no microtask
		// runs between them (goja drains its job queue only when the
		// outermost call returns): testharness's shell environment counts
		// as loaded after its first microtask, and would otherwise complete
		// the file as soon as the first test of a later script finished.
		_ = g.Set("__wptLoad", func() {
			for _, s := range scripts {
				if _, err := vm.RunScript(s.name, s.src); err != nil {
					// As in a browser: a script that throws does not stop
					// the next; the error is reported with the results.
					errs = append(errs, fmt.Sprintf("loading %s: %s", s.name, errorText(err)))
				}
			}
		})
		if _, err := vm.RunScript("(prelude)", prelude); err != nil {
			return err
		}
		_, err := vm.RunScript("(load)", "__wptLoad()")
		return err
	})

	// Time out the harness when the file takes too long, or when the loop
	// goes idle with subtests still waiting (a promise nothing will settle).
	timer := time.AfterFunc(timeout, func() {
		l.Submit(scope, func(vm *goja.Runtime) error {
			_, err := vm.RunScript("(timeout)", "timeout();")
			return err
		})
	})
	l.RunUntilIdle()
	mu.Lock()
	done := finished
	mu.Unlock()
	if !done {
		timer.Stop()
		l.RunTask(scope, func(vm *goja.Runtime) error {
			_, err := vm.RunScript("(timeout)", "timeout();")
			return err
		})
		l.RunUntilIdle()
	}
	timer.Stop()
	l.Stop()
	res.Duration = time.Since(start)
	if reportErr != nil {
		return nil, reportErr
	}
	mu.Lock()
	done = finished
	mu.Unlock()
	if !done {
		res.Harness = "ERROR"
		res.HarnessMessage = "the harness never completed"
	}
	if len(errs) > 0 && res.HarnessMessage == "" {
		res.HarnessMessage = strings.Join(errs, "\n")
	}
	return res, nil
}

// errorText is an error with its JS stack when it is a JS exception.
func errorText(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return valueText(ex.Value())
	}
	return err.Error()
}

// valueText is a thrown value's stack when it has one, else its string.
func valueText(v goja.Value) string {
	if o, ok := v.(*goja.Object); ok {
		if st := o.Get("stack"); st != nil && !goja.IsUndefined(st) {
			return st.String()
		}
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}
