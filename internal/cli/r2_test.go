package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestR2Command(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "wrangler.toml", `name = "w"
main = "index.js"

[[r2_buckets]]
binding = "FILES"
bucket_name = "files"
preview_bucket_name = "files-preview"

[[r2_buckets]]
binding = "PLAIN"
bucket_name = "plain"
`)
	write(t, dir, "photo.bin", "\x00\x01binary\xff")
	steps := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"r2", "object", "put", "hello.txt", "hello", "--binding", "FILES"}, 0, "", ""},
		{[]string{"r2", "object", "get", "hello.txt", "--binding", "FILES"}, 0, "hello", ""},
		// preview_bucket_name is what ferry dev and ferry r2 use when set.
		{[]string{"r2", "object", "get", "hello.txt", "--bucket", "files-preview"}, 0, "hello", ""},
		{[]string{"r2", "object", "get", "hello.txt", "--bucket", "files"}, 1, "", "The specified key does not exist: hello.txt"},
		{[]string{"r2", "object", "get", "hello.txt", "--binding", "PLAIN"}, 1, "", "does not exist"},
		{[]string{"r2", "object", "put", "img/photo.bin", "--file", "photo.bin", "--content-type", "image/png", "--binding", "FILES"}, 0, "", ""},
		{[]string{"r2", "object", "get", "img/photo.bin", "--binding", "FILES"}, 0, "\x00\x01binary\xff", ""},
		{[]string{"r2", "object", "get", "img/photo.bin", "--file", "copy.bin", "--binding", "FILES"}, 0, "", ""},
		{[]string{"r2", "object", "list", "--binding", "FILES"}, 0, `"key": "hello.txt",`, ""},
		{[]string{"r2", "object", "list", "--binding", "FILES"}, 0, `"contentType": "image/png"`, ""},
		{[]string{"r2", "object", "list", "--binding", "FILES", "--prefix", "img/"}, 0, `"size": 9,`, ""},
		{[]string{"r2", "object", "list", "--binding", "PLAIN"}, 0, "[]\n", ""},
		{[]string{"r2", "object", "delete", "hello.txt", "--binding", "FILES"}, 0, "", ""},
		{[]string{"r2", "object", "get", "hello.txt", "--binding", "FILES"}, 1, "", "does not exist"},
		// R2's limits and messages apply.
		{[]string{"r2", "object", "put", strings.Repeat("k", 1025), "v", "--binding", "FILES"}, 1, "", "put: The specified object name is not valid. (10020)"},
		// Mistakes.
		{[]string{"r2"}, 2, "", "ferry r2 needs a command"},
		{[]string{"r2", "bucket", "list"}, 2, "", `unknown ferry r2 command "bucket"`},
		{[]string{"r2", "object", "copy", "a"}, 2, "", `unknown ferry r2 object command "copy"`},
		{[]string{"r2", "object", "get", "--binding", "FILES"}, 2, "", "takes 1 argument(s)"},
		{[]string{"r2", "object", "get", "k"}, 2, "", "needs --binding NAME"},
		{[]string{"r2", "object", "get", "k", "--binding", "NOPE"}, 1, "", `no r2_buckets entry with binding "NOPE" (it has FILES, PLAIN)`},
		{[]string{"r2", "object", "list", "--binding", "FILES", "--no-persist"}, 1, "", "--no-persist makes no sense"},
		{[]string{"help", "r2"}, 0, "-content-type", ""},
	}
	for _, s := range steps {
		code, out, errs := run(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.err) {
			t.Errorf("ferry %q: code %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", s.args, code, s.code, out, s.out, errs, s.err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "copy.bin")); err != nil || string(b) != "\x00\x01binary\xff" {
		t.Errorf("get --file wrote %q, %v", b, err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, DefaultStateDir, "r2", "blobs", "*")); len(matches) != 1 {
		t.Errorf("%d blobs in %s, want 1 (the photo)", len(matches), DefaultStateDir)
	}
}
