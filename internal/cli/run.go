package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/console"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

const runUsage = `Usage: ferry run FILE [ARGS...]

Runs FILE (JavaScript or TypeScript, a script or an ES module, with npm imports)
with every Web API Ferry provides, like deno run: console goes to stdout (log,
info, debug) and stderr (warn, error); ferry exits when no timer or pending work
is left. An uncaught error or unhandled rejection prints a source-mapped stack
and exits 1. Top-level await works. ARGS are available as globalThis.scriptArgs.
`

func runScript(st *State, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			return &usageError{msg: "ferry run needs a FILE", usage: runUsage}
		}
		fmt.Fprint(st.Stdout, runUsage)
		return nil
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	file := absFrom(wd, args[0])
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("cannot run %s: %w", args[0], err)
	}
	b, err := bundle.Build(bundle.Options{Entry: file, Dir: filepath.Dir(file), Script: true})
	if err != nil {
		return err
	}
	prg, err := core.Compile(b)
	if err != nil {
		return err
	}

	vm := goja.New()
	l := loop.New(vm)
	failed := false
	fail := func(msg string) {
		if !failed {
			fmt.Fprintln(st.Stderr, msg)
		}
		failed = true
		l.Stop()
	}
	webapi.Install(l, webapi.Options{
		Console: func(level, line string) {
			switch console.Level(level) {
			case console.Warn, console.Error:
				fmt.Fprintln(st.Stderr, line)
			default:
				fmt.Fprintln(st.Stdout, line)
			}
		},
		ReportError: func(v goja.Value) { fail("Uncaught " + core.ValueStack(v)) },
		// A local tool, like ferry dev: fetch may reach local servers.
		Fetch: fetch.Options{AllowPrivate: true},
	})
	argv := make([]any, 0, len(args)-1)
	for _, a := range args[1:] {
		argv = append(argv, a)
	}
	_ = vm.Set("scriptArgs", vm.NewArray(argv...))

	scope := loop.NewScope(0)
	scope.OnError = func(err error) { fail(core.ErrorStack(err)) }
	scope.OnUnhandledRejection = func(reason goja.Value) {
		fail("Uncaught (in promise) " + core.ValueStack(reason))
	}
	l.RunTask(scope, func(vm *goja.Runtime) error {
		_, err := vm.RunProgram(prg)
		return err
	})
	if !failed {
		l.RunUntilIdle()
	}
	if failed {
		return exitCode(1)
	}
	return nil
}
