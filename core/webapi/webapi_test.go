package webapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
)

// TestJS runs every testdata/*.test.js file in a runtime with every Web API
// installed, as Workers and `ferry run` get them. Each file registers tests
// with test(name, fn) (see testdata/harness.js); each becomes a subtest.
func TestJS(t *testing.T) {
	harness, err := os.ReadFile("testdata/harness.js")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/*.test.js")
	if len(files) == 0 {
		t.Fatal("no test files")
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
			vm := goja.New()
			l := loop.New(vm)
			var logs []string
			webapi.Install(l, webapi.Options{Console: func(level, line string) { logs = append(logs, level+": "+line) }})
			scope := loop.NewScope(0)
			scope.OnError = func(err error) { t.Errorf("uncaught: %s", core.ErrorStack(err)) }
			scope.OnUnhandledRejection = func(v goja.Value) { t.Errorf("unhandled rejection: %s", core.ValueStack(v)) }
			var results goja.Value
			l.RunTask(scope, func(vm *goja.Runtime) error {
				if _, err := vm.RunString(string(harness)); err != nil {
					return err
				}
				if _, err := vm.RunProgram(prg); err != nil {
					return err
				}
				// Wait for the module body (it may await), then run the tests in order.
				p, err := vm.RunString(`(async () => {
					await ` + bundle.ExportsGlobal + `;
					const out = [];
					for (const t of __tests) {
						try { await t.fn(); out.push([t.name, ""]); }
						catch (e) { out.push([t.name, String((e && e.stack) || e)]); }
					}
					return out;
				})()`)
				if err != nil {
					return err
				}
				results = p
				return nil
			})
			l.RunUntilIdle()
			prom, ok := results.Export().(*goja.Promise)
			if !ok || prom.State() != goja.PromiseStateFulfilled {
				t.Fatalf("tests did not finish (logs: %s)", strings.Join(logs, "\n"))
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
