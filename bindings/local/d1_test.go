package local_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/d1/d1test"
	"github.com/ferry-run/ferry/bindings/local"
)

func openD1(t testing.TB, dir, id string) *local.D1 {
	t.Helper()
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := st.D1(id)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestD1ConformanceOnDisk(t *testing.T) {
	d1test.Run(t, func(t *testing.T) d1.Database { return openD1(t, t.TempDir(), "db") })
}

func TestD1ConformanceInMemory(t *testing.T) {
	d1test.Run(t, func(t *testing.T) d1.Database { return openD1(t, "", "db") })
}

func TestD1PersistsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.D1("6f1c2a0e-0000-4000-8000-000000000001")
	b, _ := st.D1("db b/with odd chars")
	if again, _ := st.D1("6f1c2a0e-0000-4000-8000-000000000001"); again != a {
		t.Error("D1 returned two values for one id")
	}
	for _, db := range []*local.D1{a, b} {
		if _, err := db.Exec(ctx, "CREATE TABLE t (v TEXT)"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Query(ctx, d1.Statement{SQL: "INSERT INTO t VALUES (?)", Params: []d1.Value{"in a"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Query(ctx, d1.Statement{SQL: "SELECT 1"}); err == nil {
		t.Error("a closed store's database still answers")
	}
	if _, err := st.D1("x"); err == nil {
		t.Error("D1 on a closed store worked")
	}

	files, _ := filepath.Glob(filepath.Join(dir, "d1", "*.sqlite"))
	if len(files) != 2 || filepath.Base(files[0]) != "6f1c2a0e-0000-4000-8000-000000000001.sqlite" {
		t.Errorf("database files = %q", files)
	}
	st2, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	a2, _ := st2.D1("6f1c2a0e-0000-4000-8000-000000000001")
	res, err := a2.Query(ctx, d1.Statement{SQL: "SELECT v FROM t"})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "in a" {
		t.Fatalf("after reopen: %v %v", res, err)
	}
	b2, _ := st2.D1("db b/with odd chars")
	if res, err := b2.Query(ctx, d1.Statement{SQL: "SELECT count(*) FROM t"}); err != nil || res.Rows[0][0] != int64(0) {
		t.Errorf("databases mixed: %v %v", res, err)
	}
}

// TestD1TwoProcesses opens one database from two stores, as ferry dev and
// ferry d1 execute do: each sees the other's committed writes.
func TestD1TwoProcesses(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	dev := openD1(t, dir, "shared")
	cli := openD1(t, dir, "shared")
	if _, err := cli.Script(ctx, "CREATE TABLE n (v); INSERT INTO n VALUES (1);"); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Query(ctx, d1.Statement{SQL: "INSERT INTO n VALUES (2)"}); err != nil {
		t.Fatal(err)
	}
	res, err := cli.Query(ctx, d1.Statement{SQL: "SELECT sum(v) FROM n"})
	if err != nil || res.Rows[0][0] != int64(3) {
		t.Fatalf("sum = %v, %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "d1", "shared.sqlite-wal")); err != nil {
		t.Errorf("not in WAL mode: %v", err)
	}
}

func TestD1Script(t *testing.T) {
	ctx := context.Background()
	db := openD1(t, "", "script")
	script := `-- schema
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); -- trailing comment
CREATE TRIGGER stamp AFTER INSERT ON notes BEGIN UPDATE notes SET body = body || '!' WHERE id = new.id; END;
INSERT INTO notes (body) VALUES ('a;b'), ('c');
/* a block */ SELECT id, body FROM notes ORDER BY id;
`
	res, err := db.Script(ctx, script)
	if err != nil {
		t.Fatal(err)
	}
	wantSQL := []string{
		"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
		"CREATE TRIGGER stamp AFTER INSERT ON notes BEGIN UPDATE notes SET body = body || '!' WHERE id = new.id; END",
		"INSERT INTO notes (body) VALUES ('a;b'), ('c')",
		"SELECT id, body FROM notes ORDER BY id",
	}
	if len(res) != len(wantSQL) {
		t.Fatalf("%d results, want %d", len(res), len(wantSQL))
	}
	for i, r := range res {
		if r.SQL != wantSQL[i] {
			t.Errorf("statement %d = %q, want %q", i, r.SQL, wantSQL[i])
		}
	}
	if got := res[3].Rows; len(got) != 2 || got[0][1] != "a;b!" || got[1][1] != "c!" {
		t.Errorf("rows = %v", got)
	}
	if res[2].Meta.Changes != 4 {
		t.Errorf("insert changes = %d, want 4 (2 rows + 2 trigger updates)", res[2].Meta.Changes)
	}

	// A failing statement rolls the whole script back.
	_, err = db.Script(ctx, "INSERT INTO notes (body) VALUES ('d'); INSERT INTO missing VALUES (1);")
	if err == nil || err.Error() != "D1_ERROR: no such table: missing: SQLITE_ERROR" {
		t.Fatalf("err = %v", err)
	}
	if res, _ := db.Query(ctx, d1.Statement{SQL: "SELECT count(*) FROM notes"}); res.Rows[0][0] != int64(2) {
		t.Errorf("rows after a failed script = %v", res.Rows[0][0])
	}
	if _, err := db.Script(ctx, "-- nothing\n"); err == nil || err.Error() != "D1_ERROR: "+d1.MsgNoStatements {
		t.Errorf("empty script: %v", err)
	}
}
