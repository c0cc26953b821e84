package bundle

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestMappingsRoundTrip(t *testing.T) {
	for _, m := range []string{
		"",
		"AAAA",
		";;AAEA,SAAS,OAAO,GAAmB;AACjC,MAAI,IAAI,GAAG;AACT,UAAM,IAAI,MAAM,UAAU,CAAC;AAAA,EAC7B",
		"A,CAAC;;gBAAgB,KAAKA;E",       // one-field segments and names
		"AAAA,wlBAA4lB",                // multi-digit VLQ, both signs
		"AAAA,CAAaA,CAAcC;AACnB,IAAID", // names going back and forth
	} {
		segs, err := decodeMappings(m)
		if err != nil {
			t.Fatalf("decode %q: %v", m, err)
		}
		if got := encodeMappings(segs, 0, 0); got != m {
			t.Errorf("round trip of %q = %q", m, got)
		}
	}
	for _, bad := range []string{"A!AA", "AA", "AAAAAAA", "g"} {
		if _, err := decodeMappings(bad); err == nil {
			t.Errorf("decode %q: want an error", bad)
		}
	}
}

func TestMappingsBias(t *testing.T) {
	segs, _ := decodeMappings("AAAA,IAAI;EACA")
	biased, _ := decodeMappings(encodeMappings(segs, 1, 1))
	want := []segment{
		{genLine: 0, genCol: 1, src: 0, origLine: 0, origCol: 1, name: -1},
		{genLine: 0, genCol: 5, src: 0, origLine: 0, origCol: 5, name: -1},
		{genLine: 1, genCol: 3, src: 0, origLine: 1, origCol: 5, name: -1},
	}
	if !slices.Equal(biased, want) {
		t.Errorf("biased segments = %+v, want %+v", biased, want)
	}
}

func TestInsertText(t *testing.T) {
	m := &sourceMap{Segments: []segment{
		{genLine: 0, genCol: 8}, {genLine: 1, genCol: 0}, {genLine: 1, genCol: 4}, {genLine: 1, genCol: 10}, {genLine: 2, genCol: 6},
	}}
	m.insertText(1, 4, 2)
	var got []int
	for _, s := range m.Segments {
		got = append(got, s.genCol)
	}
	if want := []int{8, 0, 4, 12, 6}; !slices.Equal(got, want) {
		t.Errorf("columns after inserting 2 bytes at 1:4 = %v, want %v", got, want)
	}
}

func TestClassFieldNameBefore(t *testing.T) {
	cases := []struct {
		code string // "|" marks the error offset
		want string // the name found, "" for none
	}{
		{"class A {\n  set = |(k) => k;", "set"},
		{"class A {\n  get = |(k) => k;", "get"},
		{"class A {\n  static get = |1;", "get"},
		{"class A {\n  async = |true;", "async"},
		{"class A {\n  set\n    = |1;", "set"},
		{"  a.set = |1;", ""},
		{"  #set = |1;", ""},
		{"  offset = |1;", ""},
		{"  $get = |1;", ""},
		{"  x = |1;", ""},
		{"  set == |1;", ""},
		{"  set |1;", ""},
	}
	for _, tc := range cases {
		t.Run(tc.code, func(t *testing.T) {
			off := strings.Index(tc.code, "|")
			code := strings.Replace(tc.code, "|", "", 1)
			at, word := classFieldNameBefore(code, off)
			if word != tc.want {
				t.Fatalf("word = %q, want %q", word, tc.want)
			}
			if word != "" && code[at:at+len(word)] != word {
				t.Errorf("offset %d does not point at %q", at, word)
			}
		})
	}
}

func TestParseExportClause(t *testing.T) {
	cases := []struct {
		code    string
		want    []exportItem
		wantErr bool
	}{
		{"var a = 1;\nexport {\n  a as default\n};\n", []exportItem{{"a", "default"}}, false},
		{"var a, b;\nexport {\n  a,\n  b as \"x, y\",\n  a as 'q}'\n};\n", []exportItem{{"a", "a"}, {"b", `"x, y"`}, {"a", `'q}'`}}, false},
		{"export { a as default };", []exportItem{{"a", "default"}}, false},
		{"var x = `\nexport { a }`;\nexport {\n  x\n};\n", []exportItem{{"x", "x"}}, false},
		{"var a = 1;\n", nil, true},
		{"export {\n  a\n};\nfoo();\n", nil, true},
		{"export {\n  \"a\" as b\n};\n", nil, true},
		{"export {\n  a b\n};\n", nil, true},
	}
	for _, tc := range cases {
		_, items, err := parseExportClause(tc.code)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, want error %v", tc.code, err, tc.wantErr)
			continue
		}
		if !slices.Equal(items, tc.want) {
			t.Errorf("%q: items = %+v, want %+v", tc.code, items, tc.want)
		}
	}
}

func TestWrapScriptChecksExports(t *testing.T) {
	code := "var a = 1;\nexport {\n  a as default\n};\n"
	if _, err := wrapScript(code, []string{"default", "other"}, true, false); err == nil {
		t.Error("wrapScript accepted a clause that does not match the metafile's exports")
	}
	out, err := wrapScript(code, []string{"default"}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "var " + ExportsGlobal + " = (() => {\"use strict\";\nvar a = 1;\nreturn {"; !strings.HasPrefix(out, want) {
		t.Errorf("wrapped script starts %q, want %q", out, want)
	}
	if strings.Contains(out, "export {") {
		t.Errorf("wrapped script still exports:\n%s", out)
	}
	sw, err := wrapScript("addEventListener('fetch', f);\nexport {};\n", []string{}, false, false)
	if err != nil || strings.Contains(sw, "use strict") || strings.Contains(sw, "export {") {
		t.Errorf("service-worker wrap = %q, %v; want sloppy mode and no export", sw, err)
	}
}

// A construct goja's parser rejects (and the build cannot fix) is reported at
// its original location.
func TestGojaSyntaxErrorIsMapped(t *testing.T) {
	m := &sourceMap{
		Sources:        []string{"src/deco.ts"},
		SourcesContent: []json.RawMessage{[]byte(`"// first\nclass A { accessor x = 1 }\n"`)},
		Segments: []segment{
			{genLine: 1, genCol: 0, src: 0, origLine: 1, origCol: 0, name: -1},
			{genLine: 1, genCol: 10, src: 0, origLine: 1, origCol: 10, name: -1},
			{genLine: 1, genCol: 19, src: 0, origLine: 1, origCol: 19, name: -1},
		},
	}
	_, _, _, err := parseForGoja("x.js", "var a;\nclass A { accessor x = 1 }\n", m)
	var se *gojaSyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a goja syntax error", err)
	}
	msg := gojaMessage(se, m)
	if msg.File != "src/deco.ts" || msg.Line != 2 || msg.Column != 20 || msg.LineText != "class A { accessor x = 1 }" ||
		!strings.HasPrefix(msg.Text, "goja cannot parse this: ") {
		t.Errorf("message = %+v", msg)
	}
}
