package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseDotenv(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"plain", "A=1\nB = two words \n", map[string]string{"A": "1", "B": "two words"}},
		{"comments and blank lines", "# c\n\nA=1 # trailing\nB=x#y\n", map[string]string{"A": "1", "B": "x"}},
		{"export prefix", "export TOKEN=abc\nexport=1\n", map[string]string{"TOKEN": "abc", "export": "1"}},
		{"colon separator", "A: 1\nB:2\n", map[string]string{"A": "1"}},
		{"double quotes expand \\n", `A="line1\nline2"` + "\n", map[string]string{"A": "line1\nline2"}},
		{"single quotes are literal", `A='a\nb $X'` + "\n", map[string]string{"A": `a\nb $X`}},
		{"backticks", "A=`it's \"quoted\"`\n", map[string]string{"A": `it's "quoted"`}},
		{"hash inside quotes", `A="#not a comment" # comment` + "\n", map[string]string{"A": "#not a comment"}},
		{"multi-line quoted", "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\n", map[string]string{"KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1"}},
		{"escaped quote stays escaped", `A="say \"hi\""` + "\n", map[string]string{"A": `say \"hi\"`}},
		{"unclosed quote is taken as written", "A=\"abc\nB=2\n", map[string]string{"A": `"abc`, "B": "2"}},
		{"text after closing quote", `A="x" y` + "\n", map[string]string{"A": `"x" y`}},
		{"empty values", "A=\nB=#c\nC=''\n", map[string]string{"A": "", "B": "", "C": ""}},
		{"later definition wins", "A=1\nA=2\n", map[string]string{"A": "2"}},
		{"CRLF line endings", "A=1\r\nB=\"x\"\r\n", map[string]string{"A": "1", "B": "x"}},
		{"dotted and dashed keys", "a.b-c=1\n", map[string]string{"a.b-c": "1"}},
		{"junk lines are skipped", "not an assignment\n=1\nA=1\n", map[string]string{"A": "1"}},
		// Found by comparing with the npm packages on random input.
		{"export alone is a key", "export =x\n", map[string]string{"export": "x"}},
		{"newline before =", "A\n=1\n", map[string]string{"A": "1"}},
		{"colon then newline takes the next line", "A:\nvalue\n", map[string]string{"A": "value"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := parseDotenv([]byte(tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseDotenv(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestExpandDotenv(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want map[string]string
	}{
		{"braced and bare", "HOST=localhost\nPORT=8080\nURL=http://${HOST}:$PORT/\n", map[string]string{"HOST": "localhost", "PORT": "8080", "URL": "http://localhost:8080/"}},
		{"unknown is empty", "A=x${NOPE}y\n", map[string]string{"A": "xy"}},
		{"defaults", "E=\nA=${E:-dflt}\nB=${NOPE-d2}\nC=${A:+alt}\nD=${NOPE+alt}\n", map[string]string{"E": "", "A": "dflt", "B": "d2", "C": "alt", "D": ""}},
		{"only earlier keys", "A=$B\nB=b\n", map[string]string{"A": "", "B": "b"}},
		{"escaped dollar", `A=\$HOME` + "\nB=${A}\n", map[string]string{"A": "$HOME", "B": "$HOME"}},
		{"self reference terminates", "A=a\nB=$B$A\n", map[string]string{"A": "a", "B": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, keys := parseDotenv([]byte(tt.src))
			got := expandDotenv(vals, keys)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("expand(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestLoadDevVars(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		env   string
		want  map[string]string
	}{
		{"nothing", nil, "", nil},
		{"nothing for env", nil, "staging", nil},
		{
			"env file replaces .dev.vars entirely",
			map[string]string{".dev.vars": "A=base\nB=base\n", ".dev.vars.staging": "A=staging\n"},
			"staging", map[string]string{"A": "staging"},
		},
		{
			".dev.vars when the env has no file",
			map[string]string{".dev.vars": "A=base\n"},
			"production", map[string]string{"A": "base"},
		},
		{
			"top level ignores env files",
			map[string]string{".dev.vars": "A=base\n", ".dev.vars.staging": "A=staging\n"},
			"", map[string]string{"A": "base"},
		},
		{
			".dev.vars hides .env",
			map[string]string{".dev.vars": "A=devvars\n", ".env": "A=env\nB=env\n"},
			"", map[string]string{"A": "devvars"},
		},
		{
			".dev.vars is not expanded",
			map[string]string{".dev.vars": "A=1\nB=${A}\n"},
			"", map[string]string{"A": "1", "B": "${A}"},
		},
		{
			".env files merge, most specific last",
			map[string]string{
				".env":               "A=env\nB=env\nC=env\nD=env\n",
				".env.local":         "B=local\nC=local\nD=local\n",
				".env.staging":       "C=staging\nD=staging\n",
				".env.staging.local": "D=staging.local\n",
			},
			"staging", map[string]string{"A": "env", "B": "local", "C": "staging", "D": "staging.local"},
		},
		{
			".env files for the top level skip env files",
			map[string]string{".env": "A=env\n", ".env.local": "B=local\n", ".env.staging": "A=staging\n"},
			"", map[string]string{"A": "env", "B": "local"},
		},
		{
			".env values are expanded across files",
			map[string]string{".env": "HOST=db\n", ".env.local": "URL=postgres://${HOST}/app\n"},
			"", map[string]string{"HOST": "db", "URL": "postgres://db/app"},
		},
		{
			"only a .dev.vars for another env falls back to .env",
			map[string]string{".dev.vars.staging": "A=staging\n", ".env": "A=env\n"},
			"", map[string]string{"A": "env"},
		},
		{"empty .dev.vars still wins", map[string]string{".dev.vars": "", ".env": "A=1\n"}, "", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadDevVars(dir, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadDevVars = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestLoadDevVarsUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".dev.vars"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDevVars(dir, ""); err == nil {
		t.Fatal("a .dev.vars that cannot be read must be an error, not silently skipped")
	}
}
