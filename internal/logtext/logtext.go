// Package logtext is the compact human-readable slog handler of ferry dev,
// ferry serve --log-format text and the Lambda bootstrap:
//
//	12:04:05 INFO  GET / 200 1.2ms  request=18c2-0001
//	12:04:05 LOG   hello from the Worker  request=18c2-0001
package logtext

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Handler prints one line per record.
type Handler struct {
	mu    *sync.Mutex
	w     io.Writer
	level slog.Level
	attrs []slog.Attr
}

// New returns a Handler writing records of level and above to w.
func New(w io.Writer, level slog.Level) *Handler {
	return &Handler{mu: &sync.Mutex{}, w: w, level: level}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Time.Format(time.TimeOnly))
	sb.WriteByte(' ')
	level := r.Level.String()
	console := ""
	var extra []string
	each := func(a slog.Attr) bool {
		if a.Key == "console" {
			console = a.Value.String()
			return true
		}
		extra = append(extra, a.Key+"="+a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		each(a)
	}
	r.Attrs(each)
	if console != "" {
		level = "console." + console
	}
	fmt.Fprintf(&sb, "%-13s %s", level, r.Message)
	if len(extra) > 0 {
		sb.WriteString("  ")
		sb.WriteString(strings.Join(extra, " "))
	}
	sb.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, sb.String())
	return err
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &n
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(string) slog.Handler { return h }
