// Package script describes a bundled Worker: the script goja runs, its source
// map and what kind of Worker it is (Result), and the diagnostics of a build
// (Message, Error). core/bundle makes a Result with esbuild; core compiles one
// and the Lambda adapter loads one from a deployment package.
//
// The package holds types only and imports no bundler, so a runtime that
// loads a bundle built ahead of time (cmd/bootstrap, through core and
// adapters/lambda) does not link esbuild. core/bundle re-exports every
// identifier here under its old name (bundle.Result is script.Result).
package script

import (
	"fmt"
	"strings"

	"github.com/dop251/goja/ast"
)

// ExportsGlobal is the global variable the module's namespace object is
// assigned to. It is always an object; a service-worker script exports nothing.
const ExportsGlobal = "__ferry_exports"

// Format is the kind of Worker the entry is.
type Format int

const (
	// ModuleFormat is an ES module entry with exports (`export default { fetch }`).
	ModuleFormat Format = iota
	// ServiceWorkerFormat is a script without exports that calls addEventListener("fetch", ...).
	ServiceWorkerFormat
)

func (f Format) String() string {
	if f == ServiceWorkerFormat {
		return "service-worker"
	}
	return "module"
}

// Result is a bundled Worker.
type Result struct {
	Code      []byte       // the script
	SourceMap []byte       // v3 JSON; "sources" relative to the project root (e.g. "src/index.ts"), with sourcesContent
	Program   *ast.Program // Code parsed by goja's parser with the source map attached: goja.CompileAST(p, false)
	Format    Format
	Exports   []string  // the entry's export names (an entry with exports but no "default" is a ModuleFormat all the same)
	Inputs    []string  // absolute paths of every source file that went in (the dev server watches these)
	Warnings  []Message // the bundler's warnings, e.g. import.meta being empty
}

// Message is one diagnostic of a build, located in the user's source.
type Message struct {
	File     string   // slash-separated, relative to the project root; "" when the message has no location
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
