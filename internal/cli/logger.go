package cli

import (
	"io"
	"log/slog"

	"github.com/ferry-run/ferry/internal/logtext"
)

// logHandler prints compact human-readable lines for the dev server
// (internal/logtext, shared with the Lambda bootstrap):
//
//	12:04:05 INFO  GET / 200 1.2ms  request=18c2-0001
//	12:04:05 LOG   hello from the Worker  request=18c2-0001
type logHandler = logtext.Handler

func newLogHandler(w io.Writer, level slog.Level) *logHandler { return logtext.New(w, level) }
