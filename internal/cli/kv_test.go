package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestKVCommand(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "wrangler.toml", `name = "w"
main = "index.js"

[[kv_namespaces]]
binding = "DATA"
id = "prod-id"
preview_id = "preview-id"

[[kv_namespaces]]
binding = "PLAIN"
id = "plain-id"

[env.staging]
kv_namespaces = [{ binding = "DATA", id = "staging-id" }]
`)
	write(t, dir, "value.bin", "from a file")
	steps := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"kv", "key", "put", "greeting", "hello", "--binding", "DATA"}, 0, "", ""},
		{[]string{"kv", "key", "get", "greeting", "--binding", "DATA"}, 0, "hello", ""},
		// preview_id is what ferry dev and ferry kv use when set.
		{[]string{"kv", "key", "get", "greeting", "--namespace-id", "preview-id"}, 0, "hello", ""},
		{[]string{"kv", "key", "get", "greeting", "--namespace-id", "prod-id"}, 1, "", "Value not found"},
		{[]string{"kv", "key", "get", "greeting", "--binding", "PLAIN"}, 1, "", "Value not found"},
		{[]string{"kv", "key", "get", "greeting", "--binding", "DATA", "--env", "staging"}, 1, "", "Value not found"},
		{[]string{"kv", "key", "put", "file", "--path", "value.bin", "--metadata", `{"from":"file"}`, "--ttl", "3600", "--binding", "DATA"}, 0, "", ""},
		{[]string{"kv", "key", "get", "file", "--binding", "DATA"}, 0, "from a file", ""},
		{[]string{"kv", "key", "list", "--binding", "DATA"}, 0, `"name": "file",`, ""},
		{[]string{"kv", "key", "list", "--binding", "DATA"}, 0, "\"metadata\": {\n      \"from\": \"file\"\n    }", ""},
		{[]string{"kv", "key", "list", "--binding", "DATA", "--prefix", "gr"}, 0, "[\n  {\n    \"name\": \"greeting\"\n  }\n]\n", ""},
		{[]string{"kv", "key", "list", "--binding", "PLAIN"}, 0, "[]\n", ""},
		{[]string{"kv", "key", "delete", "greeting", "--binding", "DATA"}, 0, "", ""},
		{[]string{"kv", "key", "get", "greeting", "--binding", "DATA"}, 1, "", "Value not found"},
		// Cloudflare's limits and messages apply.
		{[]string{"kv", "key", "put", "k", "v", "--ttl", "30", "--binding", "DATA"}, 1, "", "KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60."},
		{[]string{"kv", "key", "put", "k", "v", "--metadata", "{nope", "--binding", "DATA"}, 1, "", "--metadata is not valid JSON"},
		{[]string{"kv", "key", "get", "", "--binding", "DATA"}, 1, "", "Key name cannot be empty."},
		// Mistakes.
		{[]string{"kv"}, 2, "", "ferry kv needs a command"},
		{[]string{"kv", "namespace", "list"}, 2, "", `unknown ferry kv command "namespace"`},
		{[]string{"kv", "key", "copy", "a"}, 2, "", `unknown ferry kv key command "copy"`},
		{[]string{"kv", "key", "get", "--binding", "DATA"}, 2, "", "takes 1 argument(s)"},
		{[]string{"kv", "key", "get", "k"}, 2, "", "needs --binding NAME"},
		{[]string{"kv", "key", "get", "k", "--binding", "NOPE"}, 1, "", `no kv_namespaces entry with binding "NOPE" (it has DATA, PLAIN)`},
		{[]string{"kv", "key", "list", "--binding", "DATA", "--no-persist"}, 1, "", "--no-persist makes no sense"},
		{[]string{"help", "kv"}, 0, "-persist-to", ""},
		{[]string{"help", "dev"}, 0, "-no-persist", ""},
	}
	for _, s := range steps {
		code, out, errs := run(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.err) {
			t.Errorf("ferry %q: code %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", s.args, code, s.code, out, s.out, errs, s.err)
		}
	}

	// The data is in the project's default state directory; another
	// directory given as DIR or --persist-to is another state.
	other := t.TempDir()
	if code, _, errs := run(t, other, "kv", "key", "get", "file", "--binding", "DATA", dir); code != 0 {
		t.Errorf("get with DIR from elsewhere: %d %s", code, errs)
	}
	if code, _, _ := run(t, dir, "kv", "key", "get", "file", "--binding", "DATA", "--persist-to", other); code != 1 {
		t.Errorf("--persist-to another directory still found the key")
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, DefaultStateDir, "kv.sqlite")); len(matches) != 1 {
		t.Errorf("no kv.sqlite in %s", DefaultStateDir)
	}
}
