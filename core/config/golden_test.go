package config

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenEnvs lists the environments each case is loaded with; "" is the top
// level. Cases not listed are loaded at the top level only.
var goldenEnvs = map[string][]string{
	"environments.toml": {"", "staging", "production", "prod"},
	"noenvs.toml":       {"", "dev"},
	"unknown_key.toml":  {"", "staging"},
	"aws.toml":          {"", "staging", "prod"},
}

// TestGolden loads every testdata/<case>.{toml,json,jsonc} and compares the
// Worker (as indented JSON), the warnings and the error with
// testdata/<case>.golden. Run `go test ./core/config -update` to rewrite the
// golden files, then read the diff: a golden file is only as right as the
// review it got.
func TestGolden(t *testing.T) {
	var inputs []string
	for _, ext := range []string{"*.toml", "*.json", "*.jsonc"} {
		m, err := filepath.Glob(filepath.Join("testdata", ext))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, m...)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata inputs")
	}
	seen := map[string]string{}
	for _, in := range inputs {
		base := filepath.Base(in)
		c := strings.TrimSuffix(base, filepath.Ext(base))
		if other, dup := seen[c]; dup {
			t.Fatalf("%s and %s would share %s.golden", other, base, c)
		}
		seen[c] = base
		t.Run(c, func(t *testing.T) {
			envs := goldenEnvs[base]
			if envs == nil {
				envs = []string{""}
			}
			got := renderCase(t, in, envs)
			golden := filepath.Join("testdata", c+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden file (run with -update to create it): %v", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run with -update and review the diff)\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

func renderCase(t *testing.T, path string, envs []string) string {
	t.Helper()
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, env := range envs {
		if i > 0 {
			b.WriteString("\n")
		}
		label := env
		if label == "" {
			label = "(top level)"
		}
		b.WriteString("### env: " + label + "\n")
		w, warnings, err := Load(path, env)
		if w != nil {
			js, jerr := json.MarshalIndent(w, "", "  ")
			if jerr != nil {
				t.Fatal(jerr)
			}
			b.WriteString("worker:\n" + strings.ReplaceAll(string(js), abs, "$DIR") + "\n")
		}
		if len(warnings) > 0 {
			b.WriteString("warnings:\n")
			for _, w := range warnings {
				b.WriteString("  " + w.String() + "\n")
			}
		}
		if err != nil {
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("error is not a *config.Error: %T %v", err, err)
			}
			if w != nil {
				t.Fatalf("got both a Worker and an error")
			}
			b.WriteString("error:\n")
			for _, line := range strings.Split(err.Error(), "\n") {
				b.WriteString("  " + line + "\n")
			}
		}
	}
	return b.String()
}
