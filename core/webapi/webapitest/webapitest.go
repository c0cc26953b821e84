// Package webapitest runs Web API tests written in JS through the same
// runtime Workers get. A test file calls test(name, fn) (fn may be async) and
// uses assert, assertEquals, assertThrows and assertRejects (harness.js);
// each registered test becomes a Go subtest.
package webapitest

import (
	_ "embed"
	"path/filepath"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/loop"
)

//go:embed harness.js
var harness string

// Run runs every file matching pattern (e.g. "testdata/*.test.js"), each in
// a fresh runtime from setup, which installs what the tests need (and may
// set globals). Files are bundled as ferry run does, so they may use
// for-await and top-level await.
func Run(t *testing.T, pattern string, setup func(t *testing.T) *loop.Loop) {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		t.Fatalf("no test files match %s", pattern)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			abs, _ := filepath.Abs(file)
			b, err := bundle.Build(bundle.Options{Entry: abs, Script: true})
			if err != nil {
				t.Fatal(err)
			}
			prg, err := core.Compile(b)
			if err != nil {
				t.Fatal(err)
			}
			l := setup(t)
			vm := l.VM()
			scope := loop.NewScope(0)
			scope.OnError = func(err error) { t.Errorf("uncaught: %s", core.ErrorStack(err)) }
			scope.OnUnhandledRejection = func(v goja.Value) { t.Errorf("unhandled rejection: %s", core.ValueStack(v)) }
			var results goja.Value
			l.RunTask(scope, func(vm *goja.Runtime) error {
				if _, err := vm.RunString(harness); err != nil {
					return err
				}
				if _, err := vm.RunProgram(prg); err != nil {
					return err
				}
				// Wait for the module body (it may await), then run the
				// tests in order.
				p, err := vm.RunString(`(async () => {
					await ` + bundle.ExportsGlobal + `;
					const out = [];
					for (const t of __tests) {
						try { await t.fn(); out.push([t.name, ""]); }
						catch (e) { out.push([t.name, String((e && e.stack) || e)]); }
					}
					return out;
				})()`)
				results = p
				return err
			})
			l.RunUntilIdle()
			prom, ok := results.Export().(*goja.Promise)
			if !ok || prom.State() != goja.PromiseStateFulfilled {
				t.Fatal("tests did not finish")
			}
			var out [][]string
			if err := vm.ExportTo(prom.Result(), &out); err != nil {
				t.Fatal(err)
			}
			if len(out) == 0 {
				t.Fatal("file registered no tests")
			}
			for _, r := range out {
				t.Run(r[0], func(t *testing.T) {
					if r[1] != "" {
						t.Error(r[1])
					}
				})
			}
		})
	}
}
