package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// Every key BurntSushi decodes must have a position, and the line recorded for
// a key must contain that key's name; otherwise messages would point at the
// wrong line.
func TestTOMLScanCoversEveryKey(t *testing.T) {
	files, err := filepath.Glob("testdata/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{
		"tricky": `# comment with [brackets] and = signs
"quoted.key" = 1
'literal key' = { a = 1, "b.c" = [1, [2, 3], { d = "x]" }] }
str = "a \" # ] } still string"
ml = """
x = 1
[not.a.table]
"""""
lit = '''it's [[raw]]'''
when = 1979-05-27 07:32:00Z
site.bucket = "./public"
[a . "b c" . d]
e = true
[[arr]]
x = 1
[[arr.sub]]
y = 2
[[arr]]
x = 2
[arr.tbl]
z = 3
`,
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = string(b)
	}
	for name, src := range docs {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if _, err := toml.Decode(src, &m); err != nil {
				t.Skipf("not valid TOML (an error case): %v", err)
			}
			pos := scanTOMLPositions([]byte(src))
			lines := strings.Split(src, "\n")
			var walk func(v any, path []pathElem)
			walk = func(v any, path []pathElem) {
				if len(path) > 0 {
					line, ok := pos[pathKey(path)]
					if !ok {
						t.Errorf("no position for %v", path)
						return
					}
					last := path[len(path)-1]
					if !last.isIndex && !strings.Contains(lines[line-1], last.key) {
						t.Errorf("%v recorded on line %d %q", path, line, lines[line-1])
					}
				}
				switch x := v.(type) {
				case map[string]any:
					for k, c := range x {
						walk(c, appendPath(path, pathElem{key: k}))
					}
				case []map[string]any:
					for i, c := range x {
						walk(c, appendPath(path, pathElem{index: i, isIndex: true}))
					}
				case []any:
					for i, c := range x {
						walk(c, appendPath(path, pathElem{index: i, isIndex: true}))
					}
				}
			}
			walk(m, nil)
		})
	}
}

func TestTOMLScanLines(t *testing.T) {
	src := `[[arr]]
x = 1
[[arr.sub]]
y = 2
[[arr]]
x = 2
[arr.tbl]
z = 3
list = [
  "a",
  { k = 1 },
]
`
	pos := scanTOMLPositions([]byte(src))
	key := func(parts ...any) string {
		var p []pathElem
		for _, x := range parts {
			switch v := x.(type) {
			case string:
				p = append(p, pathElem{key: v})
			case int:
				p = append(p, pathElem{index: v, isIndex: true})
			}
		}
		return pathKey(p)
	}
	tests := []struct {
		name string
		key  string
		want int
	}{
		{"first element", key("arr", 0), 1},
		{"nested array table", key("arr", 0, "sub", 0, "y"), 4},
		{"second element", key("arr", 1), 5},
		{"table inside the latest element", key("arr", 1, "tbl", "z"), 8},
		{"array element", key("arr", 1, "tbl", "list", 1), 11},
		{"key inside inline table element", key("arr", 1, "tbl", "list", 1, "k"), 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := pos[tt.key]; !ok || got != tt.want {
				t.Errorf("line = %d (found %v), want %d", got, ok, tt.want)
			}
		})
	}
}
