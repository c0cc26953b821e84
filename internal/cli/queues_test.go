package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
)

func TestQueuesCommand(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "wrangler.toml", `name = "w"
main = "index.js"

[[queues.producers]]
binding = "JOBS"
queue = "jobs"
`)
	steps := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"queues", "list"}, 0, "[]\n", ""},
		// A binding name reaches its queue; a queue name works too.
		{[]string{"queues", "send", "JOBS", `{"a":1}`}, 0, "", ""},
		{[]string{"queues", "send", "jobs", "later", "--text", "--delay", "60"}, 0, "", ""},
		{[]string{"queues", "send", "other", "[1,2]"}, 0, "", ""},
		{[]string{"queues", "list"}, 0, `"queue": "jobs",
    "ready": 1,
    "delayed": 1,
    "leased": 0`, ""},
		{[]string{"queues", "list"}, 0, `"queue": "other"`, ""},
		// Cloudflare's limits and messages apply.
		{[]string{"queues", "send", "jobs", "x", "--text", "--delay", "50000"}, 1, "", "Queue send failed: message delay 50000 is invalid"},
		{[]string{"queues", "send", "jobs", strings.Repeat("x", 128001), "--text"}, 1, "", "Queue send failed: message length of 128001 bytes exceeds limit of 128000"},
		// Mistakes.
		{[]string{"queues", "send", "jobs", "not json"}, 1, "", "BODY is not JSON (pass --text to send text)"},
		{[]string{"queues"}, 2, "", "ferry queues needs a command"},
		{[]string{"queues", "purge"}, 2, "", `unknown ferry queues command "purge"`},
		{[]string{"queues", "send", "jobs"}, 2, "", "takes 2 argument(s)"},
		{[]string{"queues", "list", "--no-persist"}, 1, "", "--no-persist makes no sense"},
		{[]string{"help", "queues"}, 0, "-delay", ""},
	}
	for _, s := range steps {
		code, out, errs := run(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.err) {
			t.Errorf("ferry %q: code %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", s.args, code, s.code, out, s.out, errs, s.err)
		}
	}

	// What was sent is in the project's state, as a consumer receives it.
	st, err := local.Open(filepath.Join(dir, DefaultStateDir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, err := st.Queue("jobs")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := q.Receive(context.Background(), 10, time.Minute)
	if err != nil || len(ds) != 1 || string(ds[0].Body) != `{"a":1}` || ds[0].ContentType != queue.JSON || ds[0].Attempts != 1 {
		t.Fatalf("received %+v, %v", ds, err)
	}
}
