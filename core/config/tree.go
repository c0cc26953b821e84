package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/tailscale/hujson"
)

// kind is the type of a value in the format-neutral tree both parsers produce.
type kind int

const (
	kNull kind = iota
	kString
	kInt   // TOML integer, or a JSON number without fraction or exponent
	kFloat // TOML float, or any other JSON number
	kBool
	kDatetime // TOML only
	kArray
	kObject
)

// node is one value of the configuration file with the line it came from.
// Both TOML and JSON(C) are turned into this tree so that validation, env
// inheritance and error messages are written once.
//
// Invariant: line is 1-based and never 0 for a node that came from the file;
// for an object member it is the line of the member's key.
type node struct {
	kind kind
	line int

	str  string  // kString; kDatetime (formatted as in the file's own format)
	num  float64 // kInt, kFloat
	inum int64   // kInt, exact
	b    bool    // kBool

	elems  []*node          // kArray
	keys   []string         // kObject, in file order
	fields map[string]*node // kObject
}

// get returns the member named key of an object node, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kObject {
		return nil
	}
	return n.fields[key]
}

// typeName names the node's type in the vocabulary of the file's format.
func (n *node) typeName(f format) string {
	switch n.kind {
	case kNull:
		return "null"
	case kString:
		return "string"
	case kInt:
		if f == formatTOML {
			return "integer"
		}
		return "number"
	case kFloat:
		if f == formatTOML {
			return "float"
		}
		return "number"
	case kBool:
		return "boolean"
	case kDatetime:
		return "datetime"
	case kArray:
		return "array"
	case kObject:
		if f == formatTOML {
			return "table"
		}
		return "object"
	}
	return "value"
}

// describe is typeName plus, for scalars, the value itself: `integer 8080`.
func (n *node) describe(f format) string {
	t := n.typeName(f)
	switch n.kind {
	case kString:
		s := n.str
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return t + " " + strconv.Quote(s)
	case kInt, kFloat:
		return t + " " + formatNumber(n)
	case kBool:
		return t + " " + strconv.FormatBool(n.b)
	case kDatetime:
		return t + " " + n.str
	}
	return t
}

func formatNumber(n *node) string {
	if n.kind == kInt {
		return strconv.FormatInt(n.inum, 10)
	}
	return strconv.FormatFloat(n.num, 'g', -1, 64)
}

// toAny converts a node to the value encoding/json would produce when decoding
// the same data into an `any`: objects become map[string]any, arrays []any, all
// numbers float64. TOML datetimes become their string form, which is what
// wrangler passes on (a JS Date serialised to JSON is a string).
func (n *node) toAny() any {
	switch n.kind {
	case kString, kDatetime:
		return n.str
	case kInt, kFloat:
		if math.IsNaN(n.num) || math.IsInf(n.num, 0) {
			return nil // what JSON.stringify makes of them
		}
		return n.num
	case kBool:
		return n.b
	case kArray:
		out := make([]any, len(n.elems))
		for i, e := range n.elems {
			out[i] = e.toAny()
		}
		return out
	case kObject:
		out := make(map[string]any, len(n.keys))
		for _, k := range n.keys {
			out[k] = n.fields[k].toAny()
		}
		return out
	}
	return nil
}

// format is the syntax of a configuration file.
type format int

const (
	formatTOML format = iota
	formatJSON        // .json and .jsonc: both accept comments and trailing commas, like wrangler
)

func formatOf(name string) (format, error) {
	switch {
	case strings.HasSuffix(name, ".toml"):
		return formatTOML, nil
	case strings.HasSuffix(name, ".json"), strings.HasSuffix(name, ".jsonc"):
		return formatJSON, nil
	}
	return 0, fmt.Errorf("%s: unsupported configuration file extension (want .toml, .json or .jsonc)", name)
}

// parseTree parses data in format f into a node tree. A syntax error is an
// *Error with the line and column of the problem.
func parseTree(name string, data []byte, f format) (*node, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM is not part of either syntax
	if f == formatTOML {
		return parseTOML(name, data)
	}
	return parseJSON(name, data)
}

// ---- JSON / JSONC ----

func parseJSON(name string, data []byte) (*node, error) {
	v, err := hujson.Parse(data)
	if err != nil {
		return nil, jsonSyntaxError(name, err)
	}
	ls := newLines(data)
	n, err := jsonNode(&v, ls, ls.line(v.StartOffset))
	if err != nil {
		return nil, &Error{File: name, Line: ls.line(v.StartOffset), Message: err.Error()}
	}
	if n.kind != kObject {
		return nil, &Error{File: name, Line: n.line, Message: fmt.Sprintf("the configuration must be a JSON object, got %s", n.typeName(formatJSON))}
	}
	return n, nil
}

// jsonSyntaxError turns hujson's "hujson: line L, column C: msg" into an *Error.
func jsonSyntaxError(name string, err error) error {
	e := &Error{File: name, Message: err.Error()}
	var line, col int
	if _, scanErr := fmt.Sscanf(err.Error(), "hujson: line %d, column %d:", &line, &col); scanErr == nil {
		e.Line, e.Column = line, col
		if inner := errors.Unwrap(err); inner != nil {
			e.Message = inner.Error()
		}
	}
	e.Message = "syntax error: " + e.Message
	return e
}

func jsonNode(v *hujson.Value, ls lines, line int) (*node, error) {
	switch t := v.Value.(type) {
	case *hujson.Object:
		n := &node{kind: kObject, line: line, fields: make(map[string]*node, len(t.Members))}
		for i := range t.Members {
			m := &t.Members[i]
			lit, ok := m.Name.Value.(hujson.Literal)
			if !ok || lit.Kind() != '"' {
				return nil, fmt.Errorf("object key is not a string")
			}
			key := lit.String()
			child, err := jsonNode(&m.Value, ls, ls.line(m.Name.StartOffset))
			if err != nil {
				return nil, err
			}
			if _, dup := n.fields[key]; !dup {
				n.keys = append(n.keys, key)
			}
			n.fields[key] = child // the last duplicate wins, as with JSON.parse
		}
		return n, nil
	case *hujson.Array:
		n := &node{kind: kArray, line: line}
		for i := range t.Elements {
			e := &t.Elements[i]
			child, err := jsonNode(e, ls, ls.line(e.StartOffset))
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, child)
		}
		return n, nil
	case hujson.Literal:
		n := &node{line: line}
		switch t.Kind() {
		case 'n':
			n.kind = kNull
		case 't', 'f':
			n.kind, n.b = kBool, t.Bool()
		case '"':
			n.kind, n.str = kString, t.String()
		case '0':
			var num json.Number
			if err := json.Unmarshal(t, &num); err != nil {
				return nil, err
			}
			f, err := num.Float64()
			if err != nil {
				return nil, fmt.Errorf("number %s: %v", t, err)
			}
			n.kind, n.num = kFloat, f
			if i, err := num.Int64(); err == nil {
				n.kind, n.inum = kInt, i
			}
		default:
			return nil, fmt.Errorf("invalid literal %s", t)
		}
		return n, nil
	}
	return nil, fmt.Errorf("unexpected JSON value")
}

// lines maps byte offsets to 1-based line numbers.
type lines []int // offsets of each '\n'

func newLines(data []byte) lines {
	var ls lines
	for i, c := range data {
		if c == '\n' {
			ls = append(ls, i)
		}
	}
	return ls
}

func (ls lines) line(off int) int {
	return 1 + sort.SearchInts(ls, off)
}

// column returns the 1-based byte column of off.
func (ls lines) column(off int) int {
	l := ls.line(off)
	if l == 1 {
		return off + 1
	}
	return off - ls[l-2]
}

// ---- TOML ----

func parseTOML(name string, data []byte) (*node, error) {
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		e := &Error{File: name, Message: "syntax error: " + err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line = pe.Position.Line
			e.Column = newLines(data).column(pe.Position.Start)
			e.Message = "syntax error: " + pe.Message
		}
		return nil, e
	}
	pos := scanTOMLPositions(data)
	return tomlNode(m, pos, nil, 1), nil
}

// tomlNode converts BurntSushi's decoded value at path into a node. Lines come
// from the position scan; a value the scan did not record (it should not
// happen) takes its parent's line.
func tomlNode(v any, pos map[string]int, path []pathElem, parentLine int) *node {
	line := parentLine
	if l, ok := pos[pathKey(path)]; ok {
		line = l
	}
	n := &node{line: line}
	switch t := v.(type) {
	case map[string]any:
		n.kind = kObject
		n.fields = make(map[string]*node, len(t))
		for k, c := range t {
			n.fields[k] = tomlNode(c, pos, appendPath(path, pathElem{key: k}), line)
			n.keys = append(n.keys, k)
		}
		// File order: by line, then by name for keys sharing a line.
		sort.Slice(n.keys, func(i, j int) bool {
			li, lj := n.fields[n.keys[i]].line, n.fields[n.keys[j]].line
			if li != lj {
				return li < lj
			}
			return n.keys[i] < n.keys[j]
		})
	case []map[string]any:
		n.kind = kArray
		for i, c := range t {
			n.elems = append(n.elems, tomlNode(c, pos, appendPath(path, pathElem{index: i, isIndex: true}), line))
		}
	case []any:
		n.kind = kArray
		for i, c := range t {
			n.elems = append(n.elems, tomlNode(c, pos, appendPath(path, pathElem{index: i, isIndex: true}), line))
		}
	case string:
		n.kind, n.str = kString, t
	case int64:
		n.kind, n.inum, n.num = kInt, t, float64(t)
	case float64:
		n.kind, n.num = kFloat, t // NaN and ±Inf stay; toAny and number() deal with them
	case bool:
		n.kind, n.b = kBool, t
	case time.Time:
		n.kind, n.str = kDatetime, formatTOMLTime(t)
	default:
		n.kind, n.str = kString, fmt.Sprint(t)
	}
	return n
}

func formatTOMLTime(t time.Time) string {
	switch t.Location().String() {
	case "date-local":
		return t.Format("2006-01-02")
	case "time-local":
		return t.Format("15:04:05.999999999")
	case "datetime-local":
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}

// pathElem is one step of a path into the tree: a key or an array index.
type pathElem struct {
	key     string
	index   int
	isIndex bool
}

func appendPath(p []pathElem, e pathElem) []pathElem {
	out := make([]pathElem, len(p)+1)
	copy(out, p)
	out[len(p)] = e
	return out
}

// pathKey is the lookup key of a path in a position map.
func pathKey(p []pathElem) string {
	var b strings.Builder
	for _, e := range p {
		if e.isIndex {
			b.WriteByte(1)
			b.WriteString(strconv.Itoa(e.index))
		} else {
			b.WriteByte(0)
			b.WriteString(e.key)
		}
	}
	return b.String()
}
