package serve

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// UsageError is a mistake in the command line: the command prints it and
// the usage, and exits 2.
type UsageError struct{ Msg, Usage string }

func (e *UsageError) Error() string { return e.Msg }

// ExitCode ends the command with a code after it printed its own message.
type ExitCode int

func (e ExitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// NewFlagSet returns a FlagSet that reports errors to stderr instead of
// exiting, and prints usage then the flags' defaults as its help.
func NewFlagSet(stderr io.Writer, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	return fs
}

// ParseInterspersed parses flags that may come before or after positional
// arguments (ferry dev examples/hello --port 9000).
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			continue
		}
	}
}
