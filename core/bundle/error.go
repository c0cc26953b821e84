package bundle

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/ferry-run/ferry/core/script"
)

// Message is one diagnostic of a build, located in the user's source
// (script.Message).
type Message = script.Message

// Error is a failed build (script.Error). Error() lists every message as
// `path:line:col: error: text` followed by the source line.
type Error = script.Error

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
