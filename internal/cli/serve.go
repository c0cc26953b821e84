package cli

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/internal/serve"
)

// ferry serve is internal/serve (shared with cmd/serve, the binary of a
// container image); the CLI adds serving a project directory, which it
// bundles first.

// DefaultHealthPath is where ferry serve answers health checks.
const DefaultHealthPath = serve.DefaultHealthPath

func serveOptions(st *State) serve.Options {
	return serve.Options{
		Getenv: st.Getenv, Environ: st.Environ, Getwd: st.Getwd, Stderr: st.Stderr, Ctx: st.Ctx, Ready: st.Ready,
		Version: Version,
		Load: func(dir, main, envName string) (*serve.Project, *bundle.Result, error) {
			p, b, err := loadServed(st, dir, main, envName)
			if err != nil {
				return nil, nil, err
			}
			return p.served(), b, nil
		},
	}
}

func serveFlags(st *State) *flag.FlagSet { return serve.Flags(serveOptions(st)) }

func runServe(st *State, args []string) error {
	err := serve.Run(serveOptions(st), args)
	var ue *serve.UsageError
	var ec serve.ExitCode
	switch {
	case errors.As(err, &ue):
		return &usageError{msg: ue.Msg, usage: ue.Usage}
	case errors.As(err, &ec):
		return exitCode(ec)
	}
	return err
}

// loadServed reads and bundles the project in dir for production.
func loadServed(st *State, dir, main, envName string) (*project, *bundle.Result, error) {
	log := slog.New(slog.DiscardHandler)
	p, err := loadProject(st, dir, main, envName, log)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(p.entry); err != nil {
		return nil, nil, fmt.Errorf("entry point %s: %w", p.entry, err)
	}
	bopts := bundle.Options{Entry: p.entry, Dir: p.rootDir()}
	if p.cfg != nil {
		bopts.Define = p.cfg.Define
	}
	b, err := bundle.Build(bopts)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range b.Warnings {
		fmt.Fprintf(st.Stderr, "ferry: warning: %s\n", w)
	}
	return p, b, nil
}
