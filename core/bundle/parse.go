package bundle

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// maxFieldFixes bounds the parse-and-quote iterations of parseForGoja. Hono has
// two such fields; each iteration re-parses the whole bundle (a few ms for Hono).
const maxFieldFixes = 64

// fieldFix is one class field name parseForGoja quoted.
type fieldFix struct {
	offset int    // byte offset of the opening quote in the fixed code
	name   string // get, set or async
}

// parseForGoja parses code with goja's parser, working around one gap of it:
// goja reads a class element starting with `get`, `set` or `async` as an
// accessor or async method unless the next token is `(` or `;`, so the class
// fields esbuild prints as
//
//	class Context { set = (key, value) => { ... }; }
//
// (Hono has them) fail with "Unexpected token". goja accepts the same field
// with a quoted name, `"set" = ...`, which means the same thing.
//
// So: parse; when the first error sits right after `<get|set|async> =` (goja
// reports the token after the `=`), quote that name, fix the source map, and
// parse again. Only a name directly followed by `=` and then the error is
// touched; an assignment such as `set = 1` parses fine and never gets there.
// Once the code parses, every quoted name is checked to be the key of a class
// field in goja's AST, so a quote can never silently change what code means.
//
// Inserting the two quotes shifts the rest of that line by two columns; m is
// adjusted so positions stay exact.
func parseForGoja(name, code string, m *sourceMap) (*ast.Program, string, []fieldFix, error) {
	var fixes []fieldFix
	for {
		prg, err := parser.ParseFile(nil, name, code, 0, parser.WithDisableSourceMaps)
		if err == nil {
			if err := checkFieldFixes(prg, fixes); err != nil {
				return nil, "", nil, err
			}
			return prg, code, fixes, nil
		}
		var list parser.ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			return nil, "", nil, err
		}
		first := list[0]
		off := offsetOf(code, first.Position.Line, first.Position.Column)
		at, word := classFieldNameBefore(code, off)
		if at < 0 || len(fixes) >= maxFieldFixes {
			return nil, "", nil, &gojaSyntaxError{line: first.Position.Line, col: first.Position.Column, msg: first.Message}
		}
		for i := range fixes {
			if fixes[i].offset > at {
				fixes[i].offset += 2
			}
		}
		code = code[:at] + `"` + word + `"` + code[at+len(word):]
		line, col := lineCol(code, at)
		m.insertText(line, col, 2)
		fixes = append(fixes, fieldFix{offset: at, name: word})
	}
}

// gojaSyntaxError is a parse error of goja in the generated code (1-based line
// and byte column), before source mapping.
type gojaSyntaxError struct {
	line, col int
	msg       string
}

func (e *gojaSyntaxError) Error() string {
	return fmt.Sprintf("bundle:%d:%d: %s", e.line, e.col, e.msg)
}

// classFieldNameBefore looks at the text just before off for `NAME =` where
// NAME is get, set or async as a whole word (not a member access like `a.set`,
// not a private name). It returns NAME's offset, or -1.
func classFieldNameBefore(code string, off int) (int, string) {
	if off > len(code) {
		return -1, ""
	}
	s := strings.TrimRight(code[:off], " \t\r\n")
	if !strings.HasSuffix(s, "=") {
		return -1, ""
	}
	s = strings.TrimRight(s[:len(s)-1], " \t\r\n")
	for _, word := range []string{"get", "set", "async"} {
		if !strings.HasSuffix(s, word) {
			continue
		}
		at := len(s) - len(word)
		if at > 0 {
			switch c := s[at-1]; {
			case c == '.' || c == '#' || c == '_' || c == '$' || c == '\\' ||
				c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
				return -1, ""
			}
		}
		return at, word
	}
	return -1, ""
}

// checkFieldFixes verifies that each quoted name is the key of a class field.
func checkFieldFixes(prg *ast.Program, fixes []fieldFix) error {
	if len(fixes) == 0 {
		return nil
	}
	keys := map[file.Idx]bool{}
	walkAST(reflect.ValueOf(prg), func(n any) {
		c, ok := n.(*ast.ClassLiteral)
		if !ok {
			return
		}
		for _, el := range c.Body {
			if f, ok := el.(*ast.FieldDefinition); ok && !f.Computed {
				if k, ok := f.Key.(*ast.StringLiteral); ok {
					keys[k.Idx] = true
				}
			}
		}
	})
	base := prg.File.Base()
	for _, f := range fixes {
		if !keys[file.Idx(base+f.offset)] {
			return fmt.Errorf("bundle: quoting %q at offset %d for goja did not make it a class field name", f.name, f.offset)
		}
	}
	return nil
}

var astPkg = reflect.TypeOf(ast.Program{}).PkgPath()

// walkAST calls visit on every node of goja's AST below v. goja's ast package
// has no walker; the tree has no parent links, so a reflective walk over the
// ast package's own types terminates.
func walkAST(v reflect.Value, visit func(any)) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			walkAST(v.Elem(), visit)
		}
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem().PkgPath() != astPkg || v.Elem().Kind() != reflect.Struct {
			return
		}
		visit(v.Interface())
		walkAST(v.Elem(), visit)
	case reflect.Struct:
		if v.Type().PkgPath() != astPkg {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.Kind() == reflect.Interface || f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Struct {
				walkAST(f, visit)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkAST(v.Index(i), visit)
		}
	}
}

// offsetOf converts goja's 1-based line and byte column to a byte offset.
func offsetOf(code string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(code[off:], '\n')
		if i < 0 {
			return len(code)
		}
		off += i + 1
	}
	return min(off+col-1, len(code))
}

// lineCol converts a byte offset to a 0-based line and column.
func lineCol(code string, off int) (line, col int) {
	line = strings.Count(code[:off], "\n")
	return line, off - (strings.LastIndexByte(code[:off], '\n') + 1)
}
