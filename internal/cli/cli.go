// Package cli implements the ferry command: dev, run, version and help. All
// OS access (arguments, environment, working directory, standard streams,
// signals) comes through State so end-to-end tests can drive the commands in
// process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ferry-run/ferry/internal/serve"
)

// Version is the ferry version, set at build time with
// -ldflags "-X github.com/ferry-run/ferry/internal/cli.Version=v1.2.3".
var Version = "dev"

// State is the process's view of the OS.
type State struct {
	Args   []string // without the program name
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Environ lists the whole environment as KEY=value (the Lambda
	// bootstrap turns the function's variables into env); nil means empty.
	Environ func() []string
	Getwd   func() (string, error)
	// Ctx ends when the process is asked to stop (SIGINT/SIGTERM).
	Ctx context.Context
	// Ready, when set, receives the dev server's address once it listens (tests).
	Ready func(addr string)
}

// OSState returns the State of the real process.
func OSState(ctx context.Context) *State {
	return &State{Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ, Getwd: os.Getwd, Ctx: ctx}
}

// usageError is a mistake in the command line: print it and the usage.
type usageError struct{ msg, usage string }

func (e *usageError) Error() string { return e.msg }

const mainUsage = `ferry runs Cloudflare Workers (JavaScript/TypeScript) anywhere.

Usage:
  ferry dev [DIR] [flags]     serve the Worker in DIR (default: .) with live reload
  ferry serve [DIR|BUILD]     serve the Worker in production (JSON logs, graceful shutdown)
  ferry run FILE [ARGS...]    run a script with the Workers Web APIs, like deno run
  ferry build [DIR] [flags]   build a deployable package (--target lambda)
  ferry kv key ...            read and write the local KV data of ferry dev
  ferry d1 execute|migrations run SQL and migrations on the local D1 data
  ferry r2 object ...         read and write the local R2 data of ferry dev
  ferry queues list|send      inspect the local queues of ferry dev, send to them
  ferry version               print the version
  ferry help [COMMAND]        show help

Run 'ferry help COMMAND' (dev, serve, run, build, kv, r2) for a command's flags.
`

// Main runs the command line in st and returns the exit code.
func Main(st *State) int {
	if st.Ctx == nil {
		st.Ctx = context.Background()
	}
	err := dispatch(st)
	if err == nil {
		return 0
	}
	var ue *usageError
	var ec exitCode
	switch {
	case errors.As(err, &ec):
		return int(ec)
	case errors.As(err, &ue):
		fmt.Fprintf(st.Stderr, "ferry: %s\n\n%s", ue.msg, ue.usage)
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(st.Stderr, "ferry: %s\n", err)
		return 1
	}
}

// exitCode ends the command with a code after it printed its own message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func dispatch(st *State) error {
	if len(st.Args) == 0 && st.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		return runLambda(st) // ferry is the Lambda bootstrap: serve invocations
	}
	if len(st.Args) == 0 {
		fmt.Fprint(st.Stderr, mainUsage)
		return exitCode(2)
	}
	cmd, args := st.Args[0], st.Args[1:]
	switch cmd {
	case "dev":
		return runDev(st, args)
	case "serve":
		return runServe(st, args)
	case "run":
		return runScript(st, args)
	case "build":
		return runBuild(st, args)
	case "kv":
		return runKV(st, args)
	case "d1":
		return runD1(st, args)
	case "r2":
		return runR2(st, args)
	case "queues":
		return runQueues(st, args)
	case "version", "--version", "-v":
		fmt.Fprintf(st.Stdout, "ferry %s\n", Version)
		return nil
	case "help", "--help", "-h":
		return help(st, args)
	default:
		return &usageError{msg: fmt.Sprintf("unknown command %q", cmd), usage: mainUsage}
	}
}

func help(st *State, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(st.Stdout, mainUsage)
		return nil
	}
	switch args[0] {
	case "dev":
		fs, _ := devFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "serve":
		fs := serveFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "run":
		fmt.Fprint(st.Stdout, runUsage)
	case "build":
		fs, _ := buildFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "kv":
		fs, _ := kvFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "d1":
		fs, _ := d1Flags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "r2":
		fs, _ := r2Flags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	case "queues":
		fs, _ := queuesFlags(st)
		fs.SetOutput(st.Stdout)
		fs.Usage()
	default:
		return &usageError{msg: fmt.Sprintf("no help for unknown command %q", args[0]), usage: mainUsage}
	}
	return nil
}

// newFlagSet returns a FlagSet that reports errors instead of exiting.
func newFlagSet(st *State, name, usage string) *flag.FlagSet {
	return serve.NewFlagSet(st.Stderr, name, usage)
}

// parseInterspersed parses flags that may come before or after positional
// arguments (ferry dev examples/hello --port 9000).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	return serve.ParseInterspersed(fs, args)
}
