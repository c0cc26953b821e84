package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-sourcemap/sourcemap"
)

// sourceMap is a decoded source map v3. Only "mappings" is decoded into
// segments; sourcesContent passes through untouched.
type sourceMap struct {
	File           string
	Sources        []string
	SourcesContent []json.RawMessage
	Names          []string
	Segments       []segment // sorted by (genLine, genCol)
}

// segment is one mapping, with absolute 0-based values (the v3 encoding is
// relative). src < 0 marks a segment that maps to no source.
type segment struct {
	genLine, genCol   int
	src               int
	origLine, origCol int
	name              int // -1: no name
}

type sourceMapJSON struct {
	Version        int               `json:"version"`
	File           string            `json:"file,omitempty"`
	Sources        []string          `json:"sources"`
	SourcesContent []json.RawMessage `json:"sourcesContent,omitempty"`
	Names          []string          `json:"names"`
	Mappings       string            `json:"mappings"`
}

func parseSourceMap(data []byte) (*sourceMap, error) {
	var j sourceMapJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, err
	}
	if j.Version != 3 {
		return nil, fmt.Errorf("source map version %d, want 3", j.Version)
	}
	segs, err := decodeMappings(j.Mappings)
	if err != nil {
		return nil, err
	}
	return &sourceMap{File: j.File, Sources: j.Sources, SourcesContent: j.SourcesContent, Names: j.Names, Segments: segs}, nil
}

// marshal encodes the map as standard v3 JSON (0-based columns).
func (m *sourceMap) marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // sourcesContent is code: keep its < > & as they are
	_ = enc.Encode(sourceMapJSON{
		Version: 3, File: m.File, Sources: m.Sources, SourcesContent: m.SourcesContent,
		Names: m.Names, Mappings: encodeMappings(m.Segments, 0, 0),
	})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// gojaConsumer builds the consumer goja's file.File uses. goja looks a
// position up with a 1-based column (go-sourcemap expects 0-based) and reports
// the original column as stored (0-based), so the copy handed to goja stores
// generated and original columns 1-based: lookups are then exact and stack
// traces read file:line:col with the usual 1-based column. sourcesContent is
// left out: goja never reads it.
func (m *sourceMap) gojaConsumer(name string) (*sourcemap.Consumer, error) {
	b, err := json.Marshal(sourceMapJSON{
		Version: 3, File: m.File, Sources: m.Sources, Names: m.Names,
		Mappings: encodeMappings(m.Segments, 1, 1),
	})
	if err != nil {
		return nil, err
	}
	return sourcemap.Parse(name, b)
}

// prependLines accounts for n lines inserted before the generated code.
func (m *sourceMap) prependLines(n int) {
	for i := range m.Segments {
		m.Segments[i].genLine += n
	}
}

// insertText accounts for n bytes inserted on generated line `line` (0-based)
// at column col: segments starting after col move right. A segment starting
// exactly at col keeps pointing at the inserted text, which is what we want
// when the insertion wraps the token mapped there (quotes around a name).
func (m *sourceMap) insertText(line, col, n int) {
	i := sort.Search(len(m.Segments), func(i int) bool {
		s := m.Segments[i]
		return s.genLine > line || (s.genLine == line && s.genCol > col)
	})
	for ; i < len(m.Segments) && m.Segments[i].genLine == line; i++ {
		m.Segments[i].genCol += n
	}
}

// original returns the original position of a generated one (0-based line and
// column), the way debuggers do: the closest segment at or before it on the line.
func (m *sourceMap) original(line, col int) (file string, origLine, origCol int, ok bool) {
	i := sort.Search(len(m.Segments), func(i int) bool {
		s := m.Segments[i]
		return s.genLine > line || (s.genLine == line && s.genCol > col)
	}) - 1
	if i < 0 || m.Segments[i].genLine != line || m.Segments[i].src < 0 || m.Segments[i].src >= len(m.Sources) {
		return "", 0, 0, false
	}
	s := m.Segments[i]
	return m.Sources[s.src], s.origLine, s.origCol, true
}

// sourceLine returns line (0-based) of source file, from sourcesContent.
func (m *sourceMap) sourceLine(file string, line int) string {
	for i, s := range m.Sources {
		if s != file || i >= len(m.SourcesContent) {
			continue
		}
		var content string
		if json.Unmarshal(m.SourcesContent[i], &content) != nil {
			return ""
		}
		lines := strings.Split(content, "\n")
		if line < len(lines) {
			return strings.TrimRight(lines[line], "\r")
		}
	}
	return ""
}

const base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var base64Values = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base64Digits); i++ {
		t[base64Digits[i]] = int8(i)
	}
	return t
}()

var errBadMappings = errors.New("malformed source map mappings")

// decodeMappings decodes a v3 "mappings" string (base64 VLQ, fields relative
// to the previous segment; the generated column restarts on each line).
func decodeMappings(s string) ([]segment, error) {
	segs := make([]segment, 0, strings.Count(s, ",")+strings.Count(s, ";")+1)
	var line, col, src, oline, ocol, name int
	var fields [5]int
	for i := 0; i < len(s); {
		switch s[i] {
		case ';':
			line++
			col = 0
			i++
			continue
		case ',':
			i++
			continue
		}
		n := 0
		for i < len(s) && s[i] != ',' && s[i] != ';' {
			if n == len(fields) {
				return nil, errBadMappings
			}
			v, next, err := decodeVLQ(s, i)
			if err != nil {
				return nil, err
			}
			fields[n] = v
			n++
			i = next
		}
		if n != 1 && n != 4 && n != 5 {
			return nil, errBadMappings
		}
		col += fields[0]
		seg := segment{genLine: line, genCol: col, src: -1, name: -1}
		if n >= 4 {
			src += fields[1]
			oline += fields[2]
			ocol += fields[3]
			seg.src, seg.origLine, seg.origCol = src, oline, ocol
		}
		if n == 5 {
			name += fields[4]
			seg.name = name
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func decodeVLQ(s string, i int) (value, next int, err error) {
	shift := 0
	for {
		if i >= len(s) {
			return 0, 0, errBadMappings
		}
		d := base64Values[s[i]]
		i++
		if d < 0 || shift > 60 {
			return 0, 0, errBadMappings
		}
		value |= int(d&31) << shift
		shift += 5
		if d&32 == 0 {
			break
		}
	}
	if value&1 != 0 {
		return -(value >> 1), i, nil
	}
	return value >> 1, i, nil
}

// encodeMappings encodes segments; genColBias and origColBias are added to
// every generated and original column (0 for a standard map).
func encodeMappings(segs []segment, genColBias, origColBias int) string {
	var b strings.Builder
	b.Grow(len(segs) * 6)
	line := 0
	var col, src, oline, ocol, name int
	first := true
	for _, s := range segs {
		for line < s.genLine {
			b.WriteByte(';')
			line++
			col = 0
			first = true
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		c := s.genCol + genColBias
		writeVLQ(&b, c-col)
		col = c
		if s.src < 0 {
			continue
		}
		oc := s.origCol + origColBias
		writeVLQ(&b, s.src-src)
		writeVLQ(&b, s.origLine-oline)
		writeVLQ(&b, oc-ocol)
		src, oline, ocol = s.src, s.origLine, oc
		if s.name >= 0 {
			writeVLQ(&b, s.name-name)
			name = s.name
		}
	}
	return b.String()
}

func writeVLQ(b *strings.Builder, v int) {
	u := v << 1
	if v < 0 {
		u = (-v << 1) | 1
	}
	for {
		d := u & 31
		u >>= 5
		if u != 0 {
			d |= 32
		}
		b.WriteByte(base64Digits[d])
		if u == 0 {
			return
		}
	}
}
