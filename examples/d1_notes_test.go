package examples_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ferry-run/ferry/internal/cli"
)

// TestD1Notes runs examples/d1-notes: the schema comes from its migrations
// through `ferry d1 migrations apply`, a row from `ferry d1 execute`, and
// then the notes API is driven over HTTP through `ferry dev`; the CLI sees
// what the Worker wrote.
func TestD1Notes(t *testing.T) {
	state := t.TempDir()
	ferry := func(args ...string) (int, string) {
		var out, errs strings.Builder
		wd, _ := os.Getwd()
		args = append(args, "--persist-to", state, "d1-notes")
		code := cli.Main(&cli.State{Args: args, Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" },
			Getwd: func() (string, error) { return wd, nil }, Ctx: context.Background()})
		return code, out.String() + errs.String()
	}
	if code, out := ferry("d1", "migrations", "list", "DB"); code != 0 || !strings.Contains(out, "0001_create_notes.sql") || !strings.Contains(out, "0002_tags.sql") {
		t.Fatalf("ferry d1 migrations list: %d %s", code, out)
	}
	if code, out := ferry("d1", "migrations", "apply", "DB"); code != 0 || strings.Count(out, "✅") != 2 {
		t.Fatalf("ferry d1 migrations apply: %d %s", code, out)
	}
	if code, out := ferry("d1", "migrations", "apply", "DB"); code != 0 || !strings.Contains(out, "No migrations to apply!") {
		t.Fatalf("second apply: %d %s", code, out)
	}
	if code, out := ferry("d1", "execute", "DB", "--command", "INSERT INTO notes (title, body) VALUES ('Seeded', 'from the CLI')"); code != 0 {
		t.Fatalf("ferry d1 execute: %d %s", code, out)
	}

	base, _ := startDev(t, "d1-notes", "--persist-to", state, "--no-watch")
	type note struct {
		ID        int      `json:"id"`
		Title     string   `json:"title"`
		Body      string   `json:"body"`
		CreatedAt string   `json:"created_at"`
		Tags      []string `json:"tags"`
	}
	call := func(t *testing.T, method, path, body string, wantStatus int) string {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != wantStatus {
			t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, b, wantStatus)
		}
		return string(b)
	}
	list := func(t *testing.T, path string) []note {
		t.Helper()
		var notes []note
		if err := json.Unmarshal([]byte(call(t, "GET", path, "", 200)), &notes); err != nil {
			t.Fatal(err)
		}
		return notes
	}
	titles := func(notes []note) string {
		var s []string
		for _, n := range notes {
			s = append(s, n.Title)
		}
		return strings.Join(s, ",")
	}

	seeded := list(t, "/notes")
	if len(seeded) != 1 || seeded[0].Title != "Seeded" || seeded[0].Body != "from the CLI" || len(seeded[0].Tags) != 0 || len(seeded[0].CreatedAt) != len("2006-01-02 15:04:05") {
		t.Fatalf("GET /notes = %+v", seeded)
	}

	var created note
	if err := json.Unmarshal([]byte(call(t, "POST", "/notes", `{"title":"Groceries","body":"milk, bread","tags":["todo","home","todo"]}`, 201)), &created); err != nil {
		t.Fatal(err)
	}
	if created.ID != 2 || created.Title != "Groceries" || strings.Join(created.Tags, ",") != "home,todo" {
		t.Errorf("created = %+v", created)
	}
	call(t, "POST", "/notes", `{"title":"Report","tags":["work"]}`, 201)

	// Bad input: validation in the Worker, and constraints in the database
	// (a tag over 20 characters fails the batch, which leaves no note).
	if body := call(t, "POST", "/notes", `{"body":"no title"}`, 400); !strings.Contains(body, "title is required") {
		t.Errorf("no title: %s", body)
	}
	if body := call(t, "POST", "/notes", `{"title":"Bad tag","tags":["ok","`+strings.Repeat("x", 21)+`"]}`, 400); !strings.Contains(body, "D1_ERROR: CHECK constraint failed") {
		t.Errorf("long tag: %s", body)
	}
	if got := titles(list(t, "/notes")); got != "Report,Groceries,Seeded" {
		t.Errorf("notes after the failed batch = %s", got)
	}

	if got := titles(list(t, "/notes?tag=home")); got != "Groceries" {
		t.Errorf("tag=home: %s", got)
	}
	if got := titles(list(t, "/notes?tag=none")); got != "" {
		t.Errorf("tag=none: %s", got)
	}
	var one note
	if err := json.Unmarshal([]byte(call(t, "GET", "/notes/2", "", 200)), &one); err != nil || one.Title != "Groceries" || one.Body != "milk, bread" {
		t.Errorf("GET /notes/2 = %+v %v", one, err)
	}
	call(t, "GET", "/notes/99", "", 404)
	call(t, "PUT", "/notes/2", "", 405)

	call(t, "DELETE", "/notes/2", "", 204)
	call(t, "DELETE", "/notes/2", "", 404)
	call(t, "GET", "/notes/2", "", 404)

	// The CLI sees the Worker's writes; deleting the note deleted its tags.
	code, out := ferry("d1", "execute", "DB", "--command", "SELECT title FROM notes ORDER BY id; SELECT count(*) AS n FROM tags", "--json")
	if code != 0 || !strings.Contains(out, `"title": "Report"`) || strings.Contains(out, `"title": "Groceries"`) || !strings.Contains(out, `"n": 1`) {
		t.Errorf("ferry d1 execute --json = %d %s", code, out)
	}
}
