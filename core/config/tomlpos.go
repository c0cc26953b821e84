package config

import "strconv"

// BurntSushi/toml decodes values but does not expose where each key was
// defined (its MetaData keeps positions private and has no array indices).
// Error messages need the line of `kv_namespaces[1].binding`, so this file
// scans the TOML text once more, after BurntSushi has accepted it, and records
// the line of every table header, key and array element by path.
//
// Invariant: the input is valid TOML (parseTOML runs the real decoder first),
// so the scanner can skip values without validating them; it only has to
// understand enough syntax to never lose its place: comments, the four string
// forms (which may contain '#', '=', brackets and newlines), arrays, inline
// tables, dotted keys, [table] and [[array.of.tables]] headers.

type tomlScanner struct {
	src   []byte
	i     int
	ls    lines
	pos   map[string]int
	aot   map[string]int // pathKey of an array of tables → elements seen so far
	table []pathElem     // path of the current [table]
}

// scanTOMLPositions returns the 1-based line of every table, key and array
// element of data, keyed by pathKey of its path.
func scanTOMLPositions(data []byte) map[string]int {
	s := &tomlScanner{src: data, ls: newLines(data), pos: map[string]int{}, aot: map[string]int{}}
	s.run()
	return s.pos
}

func (s *tomlScanner) eof() bool { return s.i >= len(s.src) }

func (s *tomlScanner) peek(off int) byte {
	if s.i+off < len(s.src) {
		return s.src[s.i+off]
	}
	return 0
}

func (s *tomlScanner) record(p []pathElem, at int, overwrite bool) {
	k := pathKey(p)
	if _, ok := s.pos[k]; ok && !overwrite {
		return
	}
	s.pos[k] = s.ls.line(at)
}

// skipSpace skips spaces and tabs.
func (s *tomlScanner) skipSpace() {
	for !s.eof() && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

// skipBlank skips whitespace, newlines and comments.
func (s *tomlScanner) skipBlank() {
	for !s.eof() {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		case '#':
			for !s.eof() && s.src[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

func (s *tomlScanner) run() {
	for {
		s.skipBlank()
		if s.eof() {
			return
		}
		if s.src[s.i] == '[' {
			s.header()
		} else {
			s.keyValue(s.table)
		}
	}
}

// header handles `[a.b]` and `[[a.b]]`.
func (s *tomlScanner) header() {
	at := s.i
	array := s.peek(1) == '['
	if array {
		s.i += 2
	} else {
		s.i++
	}
	keys := s.key()
	s.skipSpace()
	if array {
		s.i += 2
	} else {
		s.i++
	}
	var p []pathElem
	for n, k := range keys {
		p = appendPath(p, pathElem{key: k})
		s.record(p, at, false)
		last := n == len(keys)-1
		if last && array {
			idx := s.aot[pathKey(p)]
			s.aot[pathKey(p)] = idx + 1
			p = appendPath(p, pathElem{index: idx, isIndex: true})
			s.record(p, at, true)
		} else if count, ok := s.aot[pathKey(p)]; ok && !last {
			// [a.b] below [[a]] names a table inside a's latest element.
			p = appendPath(p, pathElem{index: count - 1, isIndex: true})
		}
	}
	s.table = p
}

// keyValue handles `a.b = value` relative to prefix.
func (s *tomlScanner) keyValue(prefix []pathElem) {
	at := s.i
	keys := s.key()
	p := prefix
	for _, k := range keys {
		p = appendPath(p, pathElem{key: k})
		s.record(p, at, false)
	}
	s.skipSpace()
	if !s.eof() && s.src[s.i] == '=' {
		s.i++
	}
	s.skipSpace()
	s.value(p)
}

// key reads a possibly dotted key and returns its segments.
func (s *tomlScanner) key() []string {
	var segs []string
	for {
		s.skipSpace()
		if s.eof() {
			return segs
		}
		switch s.src[s.i] {
		case '"':
			start := s.i
			s.skipBasicString()
			raw := string(s.src[start:s.i])
			if u, err := strconv.Unquote(raw); err == nil {
				segs = append(segs, u)
			} else {
				segs = append(segs, raw[1:len(raw)-1])
			}
		case '\'':
			start := s.i + 1
			s.skipLiteralString()
			segs = append(segs, string(s.src[start:s.i-1]))
		default:
			start := s.i
			for !s.eof() && isBareKeyChar(s.src[s.i]) {
				s.i++
			}
			segs = append(segs, string(s.src[start:s.i]))
		}
		s.skipSpace()
		if s.eof() || s.src[s.i] != '.' {
			return segs
		}
		s.i++
	}
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, recording the lines of what is inside arrays and
// inline tables.
func (s *tomlScanner) value(p []pathElem) {
	if s.eof() {
		return
	}
	switch s.src[s.i] {
	case '"':
		if s.peek(1) == '"' && s.peek(2) == '"' {
			s.skipMultiline('"')
		} else {
			s.skipBasicString()
		}
	case '\'':
		if s.peek(1) == '\'' && s.peek(2) == '\'' {
			s.skipMultiline('\'')
		} else {
			s.skipLiteralString()
		}
	case '[':
		s.i++
		for idx := 0; ; idx++ {
			s.skipBlank()
			if s.eof() {
				return
			}
			if s.src[s.i] == ']' {
				s.i++
				return
			}
			ep := appendPath(p, pathElem{index: idx, isIndex: true})
			s.record(ep, s.i, true)
			s.value(ep)
			s.skipBlank()
			if !s.eof() && s.src[s.i] == ',' {
				s.i++
			}
		}
	case '{':
		s.i++
		for {
			s.skipBlank() // TOML 1.1 allows newlines and comments in inline tables
			if s.eof() {
				return
			}
			if s.src[s.i] == '}' {
				s.i++
				return
			}
			s.keyValue(p)
			s.skipBlank()
			if !s.eof() && s.src[s.i] == ',' {
				s.i++
			}
		}
	default:
		// Number, boolean or datetime. A datetime may contain a space
		// (1979-05-27 07:32:00Z), so run to the next delimiter instead.
		for !s.eof() {
			switch s.src[s.i] {
			case ',', ']', '}', '\n', '#':
				return
			}
			s.i++
		}
	}
}

// skipBasicString skips "..." with backslash escapes; s.i is on the opening quote.
func (s *tomlScanner) skipBasicString() {
	s.i++
	for !s.eof() {
		switch s.src[s.i] {
		case '\\':
			s.i += 2
			continue
		case '"':
			s.i++
			return
		}
		s.i++
	}
}

// skipLiteralString skips '...'; s.i is on the opening quote.
func (s *tomlScanner) skipLiteralString() {
	s.i++
	for !s.eof() && s.src[s.i] != '\'' {
		s.i++
	}
	s.i++
}

// skipMultiline skips """...""" or ”'...”' (q is the quote); up to two extra
// quotes right before the closing delimiter belong to the content.
func (s *tomlScanner) skipMultiline(q byte) {
	s.i += 3
	for !s.eof() {
		c := s.src[s.i]
		if c == '\\' && q == '"' {
			s.i += 2
			continue
		}
		if c == q && s.peek(1) == q && s.peek(2) == q {
			s.i += 3
			for n := 0; n < 2 && !s.eof() && s.src[s.i] == q; n++ {
				s.i++
			}
			return
		}
		s.i++
	}
}
