package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Main runs the command line of cmd/serve, the ferry binary of a container
// image, and returns the exit code. It takes the ferry command's `serve`
// form (ferry serve BUILD [flags], as the image's ENTRYPOINT runs it), the
// same without the word serve, `version` and `help`.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	st := Options{Getenv: os.Getenv, Environ: os.Environ, Getwd: os.Getwd, Stderr: stderr, Ctx: ctx, Version: Version}
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "version", "--version", "-v":
			fmt.Fprintf(stdout, "ferry %s (serve only)\n", Version)
			return 0
		case "help", "--help", "-h":
			fs := Flags(st)
			fs.SetOutput(stdout)
			fs.Usage()
			return 0
		}
	}
	return exit(Run(st, args), stderr)
}

// exit prints err as the ferry command does and returns the exit code.
func exit(err error, stderr io.Writer) int {
	var ue *UsageError
	var ec ExitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return int(ec)
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ferry: %s\n\n%s", ue.Msg, ue.Usage)
		return 2
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "ferry: %s\n", err)
		return 1
	}
}
