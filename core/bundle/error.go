package bundle

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Message is one diagnostic of a build, located in the user's source.
type Message struct {
	File     string   // slash-separated, relative to Options.Dir; "" when the message has no location
	Line     int      // 1-based
	Column   int      // 1-based, in bytes
	LineText string   // the source line, when known
	Text     string   // what went wrong
	Notes    []string // extra explanations (esbuild's notes), each already located when it has a location
}

// format writes the message as `file:line:col: kind: text`, then the source
// line with a caret under the column, then the notes.
func (m Message) format(b *strings.Builder, kind string) {
	if m.File != "" {
		fmt.Fprintf(b, "%s:%d:%d: ", m.File, m.Line, m.Column)
	}
	fmt.Fprintf(b, "%s: %s\n", kind, m.Text)
	if m.LineText != "" {
		gutter := fmt.Sprintf("%5d | ", m.Line)
		fmt.Fprintf(b, "%s%s\n", gutter, m.LineText)
		col := m.Column - 1
		if col > len(m.LineText) {
			col = len(m.LineText)
		}
		// Keep tabs so the caret lines up under tab-indented code.
		pad := []byte(m.LineText[:max(col, 0)])
		for i, c := range pad {
			if c != '\t' {
				pad[i] = ' '
			}
		}
		fmt.Fprintf(b, "%*s | %s^\n", 5, "", pad)
	}
	for _, n := range m.Notes {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}

// String formats the message as a warning.
func (m Message) String() string {
	var b strings.Builder
	m.format(&b, "warning")
	return strings.TrimRight(b.String(), "\n")
}

// Error is a failed build. Error() lists every message as
// `path:line:col: error: text` followed by the source line.
type Error struct {
	Messages []Message
}

func (e *Error) Error() string {
	var b strings.Builder
	for _, m := range e.Messages {
		m.format(&b, "error")
	}
	if len(e.Messages) == 0 {
		b.WriteString("bundle: build failed")
	}
	return strings.TrimRight(b.String(), "\n")
}

// messages converts esbuild's messages. esbuild reports files relative to
// its working directory (Options.Dir) and 0-based columns.
func messages(ms []api.Message) []Message {
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		msg := Message{Text: m.Text}
		if m.PluginName != "" && !strings.HasPrefix(m.PluginName, "ferry-") {
			msg.Text = fmt.Sprintf("[plugin %s] %s", m.PluginName, m.Text)
		}
		if l := m.Location; l != nil {
			msg.File = filepath.ToSlash(l.File)
			msg.Line = l.Line
			msg.Column = l.Column + 1
			msg.LineText = l.LineText
		}
		for _, n := range m.Notes {
			if strings.HasPrefix(n.Text, "You can mark the path ") {
				continue // advice about esbuild's external option, which Ferry has not
			}
			text := n.Text
			if l := n.Location; l != nil {
				text = fmt.Sprintf("%s:%d:%d: %s", filepath.ToSlash(l.File), l.Line, l.Column+1, n.Text)
			}
			msg.Notes = append(msg.Notes, text)
		}
		out = append(out, msg)
	}
	return out
}
