package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestD1Command(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "wrangler.toml", `name = "w"
main = "index.js"

[[d1_databases]]
binding = "DB"
database_name = "notes-db"
database_id = "prod-id"
preview_database_id = "preview-id"

[[d1_databases]]
binding = "OTHER"
database_name = "other"
database_id = "other-id"
migrations_dir = "db/migrations"
migrations_table = "applied"
`)
	write(t, dir, "migrations/0001_create.sql", "-- the notes table\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n")
	write(t, dir, "migrations/0002_seed.sql", "INSERT INTO notes (body) VALUES ('seeded; with a semicolon');\nINSERT INTO notes (body) VALUES ('two');\n")
	write(t, dir, "migrations/0010_index.sql", "CREATE INDEX notes_body ON notes (body);")
	write(t, dir, "migrations/README.md", "not a migration")
	write(t, dir, "seed.sql", "INSERT INTO notes (body) VALUES ('from a file');\nSELECT count(*) AS n FROM notes;\n")
	write(t, dir, "db/migrations/0001_bad.sql", "CREATE TABLE ok (x);\nINSERT INTO missing VALUES (1);\n")

	steps := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"d1", "migrations", "list", "DB"}, 0, "Migrations to be applied:", ""},
		{[]string{"d1", "migrations", "list", "DB"}, 0, "│ 0001_create.sql │\n│ 0002_seed.sql   │\n│ 0010_index.sql  │", ""},
		{[]string{"d1", "migrations", "apply", "DB"}, 0, "│ 0010_index.sql  │ ✅     │", ""},
		{[]string{"d1", "migrations", "list", "DB"}, 0, "No migrations to apply!", ""},
		{[]string{"d1", "migrations", "apply", "notes-db"}, 0, "No migrations to apply!", ""},
		{[]string{"d1", "execute", "DB", "--command", "SELECT body FROM notes ORDER BY id"}, 0, "│ seeded; with a semicolon │", "1 command executed successfully"},
		{[]string{"d1", "execute", "DB", "--command", "SELECT name FROM d1_migrations ORDER BY id", "--json"}, 0, `"name": "0001_create.sql"`, ""},
		{[]string{"d1", "execute", "DB", "--file", "seed.sql", "--json"}, 0, `"n": 3`, ""},
		{[]string{"d1", "execute", "DB", "--command", "SELECT x'0102' AS b, NULL AS n, 1.5 AS r", "--json"}, 0,
			"[\n  {\n    \"results\": [\n      {\n        \"b\": \"[1, 2]\",\n        \"n\": \"null\",\n        \"r\": 1.5\n      }\n    ],\n    \"success\": true,\n    \"meta\": {\n      \"duration\": ", ""},
		{[]string{"d1", "execute", "DB", "--command", "CREATE TABLE t (x); INSERT INTO t VALUES (1)"}, 0, "", "2 commands executed successfully"},
		// A failing command changes nothing.
		{[]string{"d1", "execute", "DB", "--command", "INSERT INTO t VALUES (2); INSERT INTO nope VALUES (1)"}, 1, "", "ferry: no such table: nope: SQLITE_ERROR"},
		{[]string{"d1", "execute", "DB", "--command", "SELECT * FROM nope", "--json"}, 1, "{\n  \"error\": {\n    \"text\": \"no such table: nope: SQLITE_ERROR\"\n  }\n}", ""},
		{[]string{"d1", "execute", "DB", "--command", "SELECT count(*) AS n FROM t", "--json"}, 0, `"n": 1`, ""},
		// A failing migration is rolled back and reported; the table is not created.
		{[]string{"d1", "migrations", "apply", "OTHER"}, 1, "│ 0001_bad.sql │ ❌     │", "migration 0001_bad.sql failed with the following errors:\nno such table: missing: SQLITE_ERROR"},
		{[]string{"d1", "execute", "OTHER", "--command", "SELECT count(*) AS n FROM applied", "--json"}, 0, `"n": 0`, ""},
		{[]string{"d1", "execute", "OTHER", "--command", "SELECT * FROM ok"}, 1, "", "no such table: ok"},
		// Mistakes.
		{[]string{"d1"}, 2, "", "ferry d1 needs a command"},
		{[]string{"d1", "list"}, 2, "", `unknown ferry d1 command "list"`},
		{[]string{"d1", "migrations", "create", "DB"}, 2, "", "needs list or apply"},
		{[]string{"d1", "execute", "DB"}, 2, "", "needs --command SQL or --file FILE"},
		{[]string{"d1", "execute", "DB", "--command", "SELECT 1", "--file", "seed.sql"}, 2, "", "one of them"},
		{[]string{"d1", "execute", "--command", "SELECT 1"}, 2, "", "takes a database NAME"},
		{[]string{"d1", "execute", "NOPE", "--command", "SELECT 1"}, 1, "", "couldn't find a D1 DB with the name or binding 'NOPE'"},
		{[]string{"d1", "execute", "DB", "--command", "SELECT 1", "--remote"}, 1, "", "--remote is not supported"},
		{[]string{"d1", "execute", "DB", "--command", "SELECT 1", "--no-persist"}, 1, "", "--no-persist makes no sense"},
		{[]string{"d1", "execute", "DB", "--file", "missing.sql"}, 1, "", "unable to read SQL text file"},
		{[]string{"help", "d1"}, 0, "ferry d1 migrations apply NAME", ""},
	}
	for _, s := range steps {
		code, out, errs := run(t, dir, s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errs, s.err) {
			t.Errorf("ferry %q: code %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", s.args, code, s.code, out, s.out, errs, s.err)
		}
	}

	// preview_database_id names the file, as wrangler's local mode does.
	if _, err := os.Stat(filepath.Join(dir, DefaultStateDir, "d1", "preview-id.sqlite")); err != nil {
		t.Error(err)
	}
	// Another state directory is another database.
	other := t.TempDir()
	if code, _, errs := run(t, dir, "d1", "execute", "DB", "--command", "SELECT * FROM notes", "--persist-to", other); code != 1 || !strings.Contains(errs, "no such table: notes") {
		t.Errorf("--persist-to another directory: %d %s", code, errs)
	}
}
