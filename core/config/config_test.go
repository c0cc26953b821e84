package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"json wins over all", []string{"wrangler.toml", "wrangler.jsonc", "wrangler.json"}, "wrangler.json"},
		{"jsonc wins over toml", []string{"wrangler.toml", "wrangler.jsonc"}, "wrangler.jsonc"},
		{"toml alone", []string{"wrangler.toml"}, "wrangler.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Find(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got != filepath.Join(dir, tt.want) {
				t.Errorf("Find = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFindNone(t *testing.T) {
	dir := t.TempDir()
	// A directory with a config file's name is not a config file.
	if err := os.Mkdir(filepath.Join(dir, "wrangler.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Find(dir)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	for _, want := range []string{dir, "wrangler.json", "wrangler.jsonc", "wrangler.toml"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// The same Worker written as TOML and as JSONC must load identically.
func TestTOMLAndJSONCAgree(t *testing.T) {
	a, wa, err := Load("testdata/full.toml", "")
	if err != nil {
		t.Fatal(err)
	}
	b, wb, err := Load("testdata/full_commented.jsonc", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(wa)+len(wb) != 0 {
		t.Errorf("unexpected warnings: %v %v", wa, wb)
	}
	delete(b.Extra, "$schema") // TOML spells it as a comment
	a.File, b.File = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("TOML and JSONC differ:\n%+v\n%+v", a, b)
	}
}

// Each case puts the offending key on a known line; the error or warning
// must name that line and the dotted key.
func TestPositions(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		src      string
		env      string
		wantLine int
		wantKey  string
		warning  bool
	}{
		{
			name: "toml multi-line string hides brackets and hashes",
			file: "wrangler.toml",
			src: `name = "w"
[vars]
TEXT = """
say "hi" # not a comment
[[kv_namespaces]]
binding = 1
"""
RAW = '''
[[kv_namespaces]]
'''
[[kv_namespaces]]
binding = "A"
[[kv_namespaces]]
binding = 5
`,
			wantLine: 14, wantKey: "kv_namespaces[1].binding",
		},
		{
			name: "toml inline tables in a multi-line array",
			file: "wrangler.toml",
			src: `kv_namespaces = [
  { binding = "A", id = "x" }, # first
  # comment line with a { brace
  { binding = "B",
    id = 7 },
]
`,
			wantLine: 5, wantKey: "kv_namespaces[1].id",
		},
		{
			name: "toml dotted keys and quoted keys",
			file: "wrangler.toml",
			src: `name = "w"
vars."a.b" = "x"
limits . cpu_ms = "fast"
`,
			wantLine: 3, wantKey: "limits.cpu_ms",
		},
		{
			name: "toml nested array of tables under env",
			file: "wrangler.toml",
			env:  "staging",
			src: `name = "w"
[env.staging]
[[env.staging.queues.consumers]]
queue = "a"
[[env.staging.queues.consumers]]
queue = "b"
max_retries = "three"
`,
			wantLine: 7, wantKey: "env.staging.queues.consumers[1].max_retries",
		},
		{
			name: "toml table below an array-of-tables element",
			file: "wrangler.toml",
			src: `[[migrations]]
tag = "v1"
[[migrations]]
tag = "v2"
[[migrations.renamed_classes]]
from = "A"
`,
			wantLine: 5, wantKey: "migrations[1].renamed_classes[0].to",
		},
		{
			name: "toml datetime with a space does not derail the scan",
			file: "wrangler.toml",
			src: `[vars]
WHEN = 1979-05-27 07:32:00Z
[limits]
cpu_ms = true
`,
			wantLine: 4, wantKey: "limits.cpu_ms",
		},
		{
			name:     "toml unknown key warning line",
			file:     "wrangler.toml",
			src:      "name = \"w\"\r\n\r\n[assets]\r\ndirectory = \"public\"\r\nspa = true\r\n",
			wantLine: 5, wantKey: "assets.spa", warning: true,
		},
		{
			name:     "jsonc line after block comment and CRLF",
			file:     "wrangler.jsonc",
			src:      "{\r\n  /* a\r\n     b */\r\n  \"name\": \"w\",\r\n  \"limits\": {\r\n    \"cpu_ms\": \"x\",\r\n  },\r\n}\r\n",
			wantLine: 6, wantKey: "limits.cpu_ms",
		},
		{
			name: "json unknown key in nested object",
			file: "wrangler.json",
			src: `{
  "d1_databases": [
    {
      "binding": "DB",
      "databse_id": "x"
    }
  ]
}`,
			wantLine: 5, wantKey: "d1_databases[0].databse_id", warning: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, warnings, err := Parse(tt.file, []byte(tt.src), tt.env)
			if tt.warning {
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range warnings {
					if w.Key == tt.wantKey {
						if w.Line != tt.wantLine {
							t.Errorf("warning %q on line %d, want %d", w, w.Line, tt.wantLine)
						}
						return
					}
				}
				t.Fatalf("no warning for %s in %v", tt.wantKey, warnings)
			}
			var es Errors
			var e *Error
			switch {
			case errors.As(err, &es):
			case errors.As(err, &e):
				es = Errors{e}
			default:
				t.Fatalf("err = %v, want a config error", err)
			}
			for _, e := range es {
				if e.Key == tt.wantKey {
					if e.Line != tt.wantLine {
						t.Errorf("error %q on line %d, want %d", e, e.Line, tt.wantLine)
					}
					return
				}
			}
			t.Fatalf("no error for %s in %v", tt.wantKey, err)
		})
	}
}

func TestMessageFormats(t *testing.T) {
	w := Warning{File: "wrangler.toml", Line: 12, Key: "foo", Message: `unknown key "foo" (ignored)`}
	if got, want := w.String(), `wrangler.toml:12: unknown key "foo" (ignored)`; got != want {
		t.Errorf("Warning.String() = %q, want %q", got, want)
	}
	e := &Error{File: "wrangler.toml", Line: 5, Key: "limits.cpu_ms", Message: `expected integer, got string "50"`}
	if got, want := e.Error(), `wrangler.toml:5: limits.cpu_ms: expected integer, got string "50"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = &Error{File: "wrangler.jsonc", Line: 3, Column: 7, Message: "syntax error: x"}
	if got, want := e.Error(), "wrangler.jsonc:3:7: syntax error: x"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestSeveralErrorsUnwrap(t *testing.T) {
	_, _, err := Load("testdata/bad_type.toml", "")
	var es Errors
	if !errors.As(err, &es) || len(es) < 2 {
		t.Fatalf("err = %#v, want Errors with several entries", err)
	}
	var first *Error
	if !errors.As(err, &first) || first != es[0] {
		t.Errorf("errors.As(*Error) = %v, want the first error %v", first, es[0])
	}
	for i := 1; i < len(es); i++ {
		if es[i].Line < es[i-1].Line {
			t.Errorf("errors not in file order: %v", err)
		}
	}
}

func TestParseRejectsUnknownExtension(t *testing.T) {
	_, _, err := Parse("wrangler.yaml", []byte("name: x"), "")
	if err == nil || !strings.Contains(err.Error(), ".toml") {
		t.Fatalf("err = %v, want an unsupported-extension error", err)
	}
}

func TestJSONTopLevelMustBeObject(t *testing.T) {
	_, _, err := Parse("wrangler.json", []byte("\n[1, 2]"), "")
	var e *Error
	if !errors.As(err, &e) || e.Line != 2 || !strings.Contains(e.Message, "got array") {
		t.Fatalf("err = %v, want line 2 'got array'", err)
	}
}

func TestPathsResolveAgainstConfigDir(t *testing.T) {
	dir := t.TempDir()
	src := `name = "p"
main = "../src/index.ts"
[assets]
directory = "/srv/static"
[[d1_databases]]
binding = "DB"
`
	w, _, err := Parse(filepath.Join(dir, "cfg", "wrangler.toml"), []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "src", "index.ts"); w.Main != want {
		t.Errorf("Main = %s, want %s", w.Main, want)
	}
	if w.Assets.Directory != "/srv/static" {
		t.Errorf("absolute assets.directory changed: %s", w.Assets.Directory)
	}
	if want := filepath.Join(dir, "cfg", "migrations"); w.D1Databases[0].MigrationsDir != want {
		t.Errorf("MigrationsDir = %s, want %s", w.D1Databases[0].MigrationsDir, want)
	}
	if w.Dir != filepath.Join(dir, "cfg") || w.File != filepath.Join(dir, "cfg", "wrangler.toml") {
		t.Errorf("File/Dir = %s %s", w.File, w.Dir)
	}
}

func TestQueueConsumerDefaults(t *testing.T) {
	src := `[[queues.consumers]]
queue = "defaults"
[[queues.consumers]]
queue = "set"
max_batch_size = 1
max_batch_timeout = 0.5
max_retries = 0
retry_delay = 30
`
	w, _, err := Parse("wrangler.toml", []byte(src), "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		c             QueueConsumer
		size, retries int
		timeout, wait time.Duration
	}{
		{"absent keys take Cloudflare's defaults", w.Queues.Consumers[0], 10, 3, 5 * time.Second, 0},
		{"explicit zero retries is kept", w.Queues.Consumers[1], 1, 0, 500 * time.Millisecond, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.BatchSize(); got != tt.size {
				t.Errorf("BatchSize = %d, want %d", got, tt.size)
			}
			if got := tt.c.Retries(); got != tt.retries {
				t.Errorf("Retries = %d, want %d", got, tt.retries)
			}
			if got := tt.c.BatchTimeout(); got != tt.timeout {
				t.Errorf("BatchTimeout = %v, want %v", got, tt.timeout)
			}
			if got := tt.c.RetryDelayDuration(); got != tt.wait {
				t.Errorf("RetryDelayDuration = %v, want %v", got, tt.wait)
			}
		})
	}
}

func TestEnvironmentRules(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		env     string
		check   func(t *testing.T, w *Worker)
		wantErr string
	}{
		{
			name: "env without its own name is <name>-<env>",
			src:  "name = \"api\"\n[env.dev]\n",
			env:  "dev",
			check: func(t *testing.T, w *Worker) {
				if w.Name != "api-dev" {
					t.Errorf("Name = %q", w.Name)
				}
			},
		},
		{
			name: "env without a top-level name stays unnamed",
			src:  "[env.dev]\nmain = \"a.js\"\n",
			env:  "dev",
			check: func(t *testing.T, w *Worker) {
				if w.Name != "" {
					t.Errorf("Name = %q, want empty", w.Name)
				}
			},
		},
		{
			name: "env's own values override inheritable ones",
			src:  "compatibility_date = \"2024-01-01\"\nlimits = { cpu_ms = 10 }\n[env.x]\ncompatibility_date = \"2025-05-05\"\n",
			env:  "x",
			check: func(t *testing.T, w *Worker) {
				if w.CompatibilityDate != "2025-05-05" || w.Limits.CPUMs != 10 {
					t.Errorf("date %q cpu %d", w.CompatibilityDate, w.Limits.CPUMs)
				}
			},
		},
		{
			name: "bindings are never inherited",
			src:  "[[r2_buckets]]\nbinding = \"B\"\n[env.x]\n",
			env:  "x",
			check: func(t *testing.T, w *Worker) {
				if w.R2Buckets != nil {
					t.Errorf("R2Buckets inherited: %v", w.R2Buckets)
				}
			},
		},
		{
			name:    "an env that is not a table",
			src:     "[env]\nx = 3\n",
			env:     "x",
			wantErr: `wrangler.toml:2: env.x: expected table, got integer 3`,
		},
		{
			name:    "invalid worker name",
			src:     "name = \"My Worker\"\n",
			wantErr: `wrangler.toml:1: name: expected lowercase letters, digits, '-' and '_' only (not starting with '-'), got "My Worker"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, _, err := Parse("wrangler.toml", []byte(tt.src), tt.env)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, w)
		})
	}
}

func TestFilterSecrets(t *testing.T) {
	w, _, err := Parse("wrangler.jsonc", []byte(`{"secrets": {"required": ["API_KEY", "DB_URL"]}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	kept, missing := w.FilterSecrets(map[string]string{"API_KEY": "k", "EXTRA": "e"})
	if !reflect.DeepEqual(kept, map[string]string{"API_KEY": "k"}) || !reflect.DeepEqual(missing, []string{"DB_URL"}) {
		t.Errorf("kept %v missing %v", kept, missing)
	}
	none := &Worker{}
	in := map[string]string{"A": "1"}
	if kept, missing := none.FilterSecrets(in); !reflect.DeepEqual(kept, in) || missing != nil {
		t.Errorf("without secrets.required: kept %v missing %v", kept, missing)
	}
}

func TestNonFiniteTOMLNumbers(t *testing.T) {
	src := "[vars]\nX = nan\n[[queues.consumers]]\nqueue = \"q\"\nmax_batch_timeout = inf\n"
	_, _, err := Parse("wrangler.toml", []byte(src), "")
	if err == nil || err.Error() != "wrangler.toml:5: queues.consumers[0].max_batch_timeout: expected a finite number, got +Inf" {
		t.Fatalf("err = %v", err)
	}
	w, _, err := Parse("wrangler.toml", []byte("[vars]\nX = nan\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := w.Vars["X"]; !ok || v != nil {
		t.Errorf("vars.X = %#v, want nil (JSON has no NaN)", v)
	}
}
