// Package d1test is the conformance suite for d1.Database implementations:
// every implementation (local SQLite, a remote store later) runs the same
// tests, so Workers code sees the same D1 whichever host it runs on.
//
// Use it from the implementation's tests:
//
//	func TestD1Conformance(t *testing.T) {
//		d1test.Run(t, func(t *testing.T) d1.Database { return openEmptyDatabase(t) })
//	}
//
// open must return an empty database, cleaned up when t ends.
package d1test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/d1"
)

type opener func(t *testing.T) d1.Database

// Run runs the conformance suite against the databases open returns.
func Run(t *testing.T, open func(t *testing.T) d1.Database) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open opener)
	}{
		{"TypesRoundTrip", testTypes},
		{"Parameters", testParameters},
		{"MultipleStatements", testMultipleStatements},
		{"NoStatements", testNoStatements},
		{"Meta", testMeta},
		{"RowLimit", testRowLimit},
		{"ColumnsWithoutRows", testColumnsWithoutRows},
		{"Batch", testBatch},
		{"BatchIsAtomic", testBatchAtomic},
		{"Exec", testExec},
		{"ExecErrors", testExecErrors},
		{"Errors", testErrors},
		{"TransactionsRefused", testTransactionsRefused},
		{"Limits", testLimits},
		{"ForeignKeys", testForeignKeys},
		{"Concurrency", testConcurrency},
		{"CancelledContext", testCancelled},
		{"Dump", testDump},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

func q(t *testing.T, db d1.Database, sql string, params ...d1.Value) *d1.Result {
	t.Helper()
	res, err := db.Query(ctx, d1.Statement{SQL: sql, Params: params})
	if err != nil {
		t.Fatalf("Query(%q): %v", sql, err)
	}
	return res
}

// wantError checks that err is a *d1.Error reading want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	var de *d1.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v (%T), want *d1.Error %q", err, err, want)
	}
	if de.Error() != want {
		t.Fatalf("error = %q\n want %q", de.Error(), want)
	}
}

func count(t *testing.T, db d1.Database, table string) int64 {
	t.Helper()
	return q(t, db, "SELECT count(*) AS n FROM "+table).Rows[0][0].(int64)
}

func testTypes(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE v (k TEXT PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, n, d DATETIME DEFAULT CURRENT_TIMESTAMP)")
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	cases := []struct {
		name  string
		value d1.Value
		col   string
		want  d1.Value
		typ   string
	}{
		{"integer", int64(42), "i", int64(42), "integer"},
		{"negative integer", int64(-7), "i", int64(-7), "integer"},
		{"large integer", int64(1) << 62, "i", int64(1) << 62, "integer"},
		{"max int64", int64(math.MaxInt64), "n", int64(math.MaxInt64), "integer"},
		{"real", 1.5, "r", 1.5, "real"},
		{"real in an untyped column", 0.1, "n", 0.1, "real"},
		{"integral real in a REAL column", 2.0, "r", 2.0, "real"},
		{"text", "héllo 👋", "s", "héllo 👋", "text"},
		{"empty text", "", "s", "", "text"},
		{"text with NUL", "a\x00b", "s", "a\x00b", "text"},
		{"blob", all, "b", all, "blob"},
		{"empty blob", []byte{}, "b", []byte{}, "blob"},
		{"null", nil, "s", nil, "null"},
		{"true", true, "i", int64(1), "integer"},
		{"false", false, "i", int64(0), "integer"},
		{"text in a DATETIME column stays text", "2024-01-02 03:04:05", "d", "2024-01-02 03:04:05", "text"},
		{"text into INTEGER affinity", "12", "i", int64(12), "integer"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := fmt.Sprint(i)
			q(t, db, "INSERT INTO v (k, "+c.col+") VALUES (?, ?)", key, c.value)
			res := q(t, db, "SELECT "+c.col+" AS value, typeof("+c.col+") AS type FROM v WHERE k = ?", key)
			if len(res.Rows) != 1 {
				t.Fatalf("rows = %v", res.Rows)
			}
			got := res.Rows[0][0]
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("value = %#v (%T), want %#v (%T)", got, got, c.want, c.want)
			}
			if typ := res.Rows[0][1]; typ != c.typ {
				t.Errorf("typeof = %v, want %s", typ, c.typ)
			}
		})
	}
	t.Run("CURRENT_TIMESTAMP default reads as text", func(t *testing.T) {
		q(t, db, "INSERT INTO v (k) VALUES ('ts')")
		v := q(t, db, "SELECT d FROM v WHERE k = 'ts'").Rows[0][0]
		s, ok := v.(string)
		if !ok || len(s) != len("2006-01-02 15:04:05") {
			t.Errorf("d = %#v, want a datetime string", v)
		}
	})
	t.Run("expressions", func(t *testing.T) {
		res := q(t, db, "SELECT 1 AS one, 2.5 AS half, 'x' AS s, x'00ff' AS b, NULL AS n, 9007199254740993 AS big")
		want := []d1.Value{int64(1), 2.5, "x", []byte{0, 0xff}, nil, int64(9007199254740993)}
		if !reflect.DeepEqual(res.Rows[0], want) {
			t.Errorf("row = %#v, want %#v", res.Rows[0], want)
		}
		if !reflect.DeepEqual(res.Columns, []string{"one", "half", "s", "b", "n", "big"}) {
			t.Errorf("columns = %q", res.Columns)
		}
	})
}

func testParameters(t *testing.T, open opener) {
	db := open(t)
	cases := []struct {
		name   string
		sql    string
		params []d1.Value
		want   []d1.Value
		err    string
	}{
		{"anonymous", "SELECT ?, ?", []d1.Value{int64(1), "a"}, []d1.Value{int64(1), "a"}, ""},
		{"ordered", "SELECT ?2, ?1", []d1.Value{"first", "second"}, []d1.Value{"second", "first"}, ""},
		{"reused", "SELECT ?1 + ?1", []d1.Value{int64(2)}, []d1.Value{int64(4)}, ""},
		{"none", "SELECT 7", nil, []d1.Value{int64(7)}, ""},
		{"too few", "SELECT ?, ?", []d1.Value{int64(1)}, nil, "D1_ERROR: " + d1.MsgWrongBindings},
		{"too many", "SELECT ?", []d1.Value{int64(1), int64(2)}, nil, "D1_ERROR: " + d1.MsgWrongBindings},
		{"missing for a statement with parameters", "SELECT ?", nil, nil, "D1_ERROR: " + d1.MsgWrongBindings},
		{"only the last of several statements may have parameters", "SELECT ?; SELECT 1", []d1.Value{int64(1)}, nil, "D1_ERROR: " + d1.MsgMultiParams},
		{"parameters on the last of several statements", "SELECT 1; SELECT ?", []d1.Value{"last"}, []d1.Value{"last"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := db.Query(ctx, d1.Statement{SQL: c.sql, Params: c.params})
			if c.err != "" {
				wantError(t, err, c.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Rows, [][]d1.Value{c.want}) {
				t.Errorf("rows = %#v, want %#v", res.Rows, c.want)
			}
		})
	}
	t.Run("a statement with the same SQL runs again with other parameters", func(t *testing.T) {
		for i := int64(0); i < 3; i++ {
			if got := q(t, db, "SELECT ? * 10", i).Rows[0][0]; got != i*10 {
				t.Errorf("run %d = %v", i, got)
			}
		}
	})
	t.Run("a failed binding leaves nothing behind", func(t *testing.T) {
		_, err := db.Query(ctx, d1.Statement{SQL: "SELECT ?, ?", Params: []d1.Value{"x"}})
		wantError(t, err, "D1_ERROR: "+d1.MsgWrongBindings)
		res := q(t, db, "SELECT ?, ?", "a", "b")
		if !reflect.DeepEqual(res.Rows[0], []d1.Value{"a", "b"}) {
			t.Errorf("row = %#v", res.Rows[0])
		}
	})
}

func testMultipleStatements(t *testing.T, open opener) {
	db := open(t)
	res := q(t, db, "CREATE TABLE m (x INTEGER); INSERT INTO m VALUES (1), (2); SELECT x FROM m ORDER BY x;")
	if !reflect.DeepEqual(res.Rows, [][]d1.Value{{int64(1)}, {int64(2)}}) {
		t.Fatalf("rows = %#v", res.Rows)
	}
	// Only the last statement's rows come back; trailing comments and
	// semicolons end nothing.
	res = q(t, db, "SELECT 'ignored'; SELECT x FROM m WHERE x = 2 ;; -- done\n")
	if !reflect.DeepEqual(res.Rows, [][]d1.Value{{int64(2)}}) {
		t.Errorf("rows = %#v", res.Rows)
	}
	// A failure in a later statement rolls back the earlier ones.
	_, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO m VALUES (3); INSERT INTO nope VALUES (1)"})
	wantError(t, err, "D1_ERROR: no such table: nope: SQLITE_ERROR")
	if n := count(t, db, "m"); n != 2 {
		t.Errorf("rows after a failed multi-statement query = %d, want 2", n)
	}
}

func testNoStatements(t *testing.T, open opener) {
	db := open(t)
	for _, sql := range []string{"", "   ", "-- only a comment", "/* block */", ";"} {
		_, err := db.Query(ctx, d1.Statement{SQL: sql})
		wantError(t, err, "D1_ERROR: "+d1.MsgNoStatements)
	}
	_, err := db.Batch(ctx, nil)
	wantError(t, err, "D1_ERROR: "+d1.MsgNoStatements)
}

func testMeta(t *testing.T, open opener) {
	db := open(t)
	create := q(t, db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
	if !create.Meta.ChangedDB || create.Meta.SizeAfter <= 0 {
		t.Errorf("CREATE TABLE meta = %+v, want changed_db and a size", create.Meta)
	}
	ins := q(t, db, "INSERT INTO notes (body) VALUES (?), (?)", "a", "b")
	m := ins.Meta
	if m.Changes != 2 || m.RowsWritten < 2 || m.LastRowID != 2 || !m.ChangedDB || m.SizeAfter <= 0 || m.Duration < 0 {
		t.Errorf("INSERT meta = %+v", m)
	}
	if len(ins.Rows) != 0 || len(ins.Columns) != 0 {
		t.Errorf("INSERT results = %v %v, want none", ins.Columns, ins.Rows)
	}
	sel := q(t, db, "SELECT * FROM notes")
	m = sel.Meta
	if m.Changes != 0 || m.ChangedDB || m.RowsRead < 2 || m.RowsWritten != 0 || m.LastRowID != 2 {
		t.Errorf("SELECT meta = %+v", m)
	}
	upd := q(t, db, "UPDATE notes SET body = 'c' WHERE id = 1")
	if upd.Meta.Changes != 1 || !upd.Meta.ChangedDB {
		t.Errorf("UPDATE meta = %+v", upd.Meta)
	}
	del := q(t, db, "DELETE FROM notes WHERE id = 42")
	if del.Meta.Changes != 0 || del.Meta.ChangedDB {
		t.Errorf("DELETE of nothing meta = %+v", del.Meta)
	}
}

func testRowLimit(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE r (x INTEGER)")
	res, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO r VALUES (1), (2), (3) RETURNING x", RowLimit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Rows, [][]d1.Value{{int64(1)}}) || !reflect.DeepEqual(res.Columns, []string{"x"}) {
		t.Errorf("rows = %#v %q", res.Rows, res.Columns)
	}
	if n := count(t, db, "r"); n != 3 {
		t.Errorf("RowLimit stopped the statement: %d rows, want 3", n)
	}
}

func testColumnsWithoutRows(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE c (a, b, a2)")
	res := q(t, db, "SELECT a, b, a2 AS a FROM c")
	if !reflect.DeepEqual(res.Columns, []string{"a", "b", "a"}) || len(res.Rows) != 0 {
		t.Errorf("columns %q rows %v", res.Columns, res.Rows)
	}
}

func testBatch(t *testing.T, open opener) {
	db := open(t)
	res, err := db.Batch(ctx, []d1.Statement{
		{SQL: "CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT)"},
		{SQL: "INSERT INTO b (v) VALUES (?)", Params: []d1.Value{"one"}},
		{SQL: "INSERT INTO b (v) VALUES (?)", Params: []d1.Value{"two"}},
		{SQL: "SELECT id, v FROM b ORDER BY id"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results, want 4", len(res))
	}
	if res[1].Meta.LastRowID != 1 || res[2].Meta.LastRowID != 2 || res[2].Meta.Changes != 1 {
		t.Errorf("insert metas = %+v %+v", res[1].Meta, res[2].Meta)
	}
	if !reflect.DeepEqual(res[3].Rows, [][]d1.Value{{int64(1), "one"}, {int64(2), "two"}}) {
		t.Errorf("select rows = %#v", res[3].Rows)
	}
}

func testBatchAtomic(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))")
	q(t, db, "INSERT INTO accounts VALUES (1, 100), (2, 0)")
	cases := []struct {
		name string
		sts  []d1.Statement
		err  string
	}{
		{"constraint", []d1.Statement{
			{SQL: "UPDATE accounts SET balance = balance + 150 WHERE id = 2"},
			{SQL: "UPDATE accounts SET balance = balance - 150 WHERE id = 1"},
		}, "D1_ERROR: CHECK constraint failed: balance >= 0: SQLITE_CONSTRAINT"},
		{"unique", []d1.Statement{
			{SQL: "UPDATE accounts SET balance = 1 WHERE id = 2"},
			{SQL: "INSERT INTO accounts VALUES (1, 5)"},
		}, "D1_ERROR: UNIQUE constraint failed: accounts.id: SQLITE_CONSTRAINT"},
		{"syntax", []d1.Statement{
			{SQL: "DELETE FROM accounts"},
			{SQL: "SELEC 1"},
		}, `D1_ERROR: near "SELEC": syntax error: SQLITE_ERROR`},
		{"binding", []d1.Statement{
			{SQL: "DELETE FROM accounts"},
			{SQL: "SELECT ?"},
		}, "D1_ERROR: " + d1.MsgWrongBindings},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Batch(ctx, c.sts)
			wantError(t, err, c.err)
			res := q(t, db, "SELECT id, balance FROM accounts ORDER BY id")
			if !reflect.DeepEqual(res.Rows, [][]d1.Value{{int64(1), int64(100)}, {int64(2), int64(0)}}) {
				t.Errorf("after the failed batch: %#v", res.Rows)
			}
		})
	}
}

func testExec(t *testing.T, open opener) {
	db := open(t)
	res, err := db.Exec(ctx, `
		CREATE TABLE e (id INTEGER PRIMARY KEY, v TEXT);

		-- a comment line is not a query
		INSERT INTO e (v) VALUES ('a'); INSERT INTO e (v) VALUES ('b');
		INSERT INTO e (v) VALUES ('c')
	`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 3 {
		t.Errorf("count = %d, want 3 (one per line with SQL)", res.Count)
	}
	if res.Duration < 0 {
		t.Errorf("duration = %v", res.Duration)
	}
	if n := count(t, db, "e"); n != 3 {
		t.Errorf("rows = %d, want 3", n)
	}
}

func testExecErrors(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE x (v)")
	cases := []struct {
		name, sql, err string
	}{
		{"missing table", "INSERT INTO x VALUES (1)\nINSERT INTO x VALUES (2)\nINSERT INTO nope VALUES (3)",
			"D1_EXEC_ERROR: Error in line 3: INSERT INTO nope VALUES (3): no such table: nope: SQLITE_ERROR"},
		{"a statement split over lines", "INSERT INTO x\nVALUES (1)",
			"D1_EXEC_ERROR: Error in line 1: INSERT INTO x: incomplete input: SQLITE_ERROR"},
		{"parameters", "SELECT ?", "D1_EXEC_ERROR: Error in line 1: SELECT ?: " + d1.MsgWrongBindings},
		{"empty", "", "D1_EXEC_ERROR: Error in line 1: : " + d1.MsgNoStatements},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Exec(ctx, c.sql)
			wantError(t, err, c.err)
			if n := count(t, db, "x"); n != 0 {
				t.Errorf("a failed exec left %d rows", n)
			}
		})
	}
}

func testErrors(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)")
	q(t, db, "INSERT INTO u (email) VALUES ('a@example.com')")
	cases := []struct {
		name, sql string
		params    []d1.Value
		err       string
	}{
		{"no such table", "SELECT * FROM missing", nil, "D1_ERROR: no such table: missing: SQLITE_ERROR"},
		{"no such column", "SELECT nope FROM u", nil, "D1_ERROR: no such column: nope: SQLITE_ERROR"},
		{"syntax", "SELEC 1", nil, `D1_ERROR: near "SELEC": syntax error: SQLITE_ERROR`},
		{"unique", "INSERT INTO u (email) VALUES (?)", []d1.Value{"a@example.com"}, "D1_ERROR: UNIQUE constraint failed: u.email: SQLITE_CONSTRAINT"},
		{"not null", "INSERT INTO u (email) VALUES (?)", []d1.Value{nil}, "D1_ERROR: NOT NULL constraint failed: u.email: SQLITE_CONSTRAINT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Query(ctx, d1.Statement{SQL: c.sql, Params: c.params})
			wantError(t, err, c.err)
		})
	}
	// The database still works after errors.
	if n := count(t, db, "u"); n != 1 {
		t.Errorf("rows = %d", n)
	}
}

func testTransactionsRefused(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE t (x)")
	for _, sql := range []string{
		"BEGIN", "BEGIN TRANSACTION", "begin immediate", "COMMIT", "END", "ROLLBACK",
		"SAVEPOINT a", "RELEASE a", "  /* c */ BEGIN", "INSERT INTO t VALUES (1); BEGIN; INSERT INTO t VALUES (2)",
	} {
		_, err := db.Query(ctx, d1.Statement{SQL: sql})
		wantError(t, err, "D1_ERROR: "+d1.MsgNoTransactions)
	}
	if n := count(t, db, "t"); n != 0 {
		t.Errorf("rows = %d", n)
	}
	// Words that merely start like one are fine.
	q(t, db, "CREATE TABLE beginnings (x)")
	q(t, db, "SELECT 1 AS \"commit\"")
}

func testLimits(t *testing.T, open opener) {
	db := open(t)
	t.Run("bound parameters", func(t *testing.T) {
		params := make([]d1.Value, d1.MaxBoundParameters)
		for i := range params {
			params[i] = int64(i)
		}
		sql := "SELECT " + strings.TrimSuffix(strings.Repeat("?,", len(params)), ",")
		q(t, db, sql, params...)
		_, err := db.Query(ctx, d1.Statement{SQL: sql + ",?", Params: append(params, int64(0))})
		wantError(t, err, "D1_ERROR: too many SQL variables: SQLITE_ERROR")
	})
	t.Run("value size", func(t *testing.T) {
		q(t, db, "CREATE TABLE big (v)")
		q(t, db, "INSERT INTO big VALUES (?)", bytes.Repeat([]byte{1}, d1.MaxValueSize-100))
		_, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO big VALUES (?)", Params: []d1.Value{strings.Repeat("x", d1.MaxValueSize+1)}})
		wantError(t, err, "D1_ERROR: string or blob too big: SQLITE_TOOBIG")
	})
	t.Run("columns", func(t *testing.T) {
		cols := make([]string, d1.MaxColumns+1)
		for i := range cols {
			cols[i] = fmt.Sprintf("c%d", i)
		}
		_, err := db.Query(ctx, d1.Statement{SQL: "CREATE TABLE wide (" + strings.Join(cols, ", ") + ")"})
		wantError(t, err, "D1_ERROR: too many columns on wide: SQLITE_ERROR")
		q(t, db, "CREATE TABLE wide ("+strings.Join(cols[:d1.MaxColumns], ", ")+")")
	})
	t.Run("statement length", func(t *testing.T) {
		long := "SELECT '" + strings.Repeat("x", d1.MaxSQLLength) + "'"
		_, err := db.Query(ctx, d1.Statement{SQL: long})
		wantError(t, err, "D1_ERROR: statement too long: SQLITE_TOOBIG")
	})
}

func testForeignKeys(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE authors (id INTEGER PRIMARY KEY)")
	q(t, db, "CREATE TABLE books (id INTEGER PRIMARY KEY, author INTEGER REFERENCES authors(id))")
	_, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO books (author) VALUES (7)"})
	wantError(t, err, "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT")
}

func testConcurrency(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
	q(t, db, "INSERT INTO counter VALUES (1, 0)")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				// Read then write in one batch: the batch runs alone.
				_, err := db.Batch(ctx, []d1.Statement{
					{SQL: "SELECT n FROM counter WHERE id = 1"},
					{SQL: "UPDATE counter SET n = n + 1 WHERE id = 1"},
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := q(t, db, "SELECT n FROM counter").Rows[0][0]; n != int64(workers*each) {
		t.Errorf("counter = %v, want %d", n, workers*each)
	}
}

func testCancelled(t *testing.T, open opener) {
	db := open(t)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Query(cctx, d1.Statement{SQL: "SELECT 1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a cancelled context: %v", err)
	}
	if _, err := db.Batch(cctx, []d1.Statement{{SQL: "SELECT 1"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Batch with a cancelled context: %v", err)
	}
	// A long query ends when its context does.
	tctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := db.Query(tctx, d1.Statement{SQL: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000000000) SELECT count(*) FROM c"})
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted query: %v", err)
	}
	q(t, db, "SELECT 1")
}

func testDump(t *testing.T, open opener) {
	db := open(t)
	q(t, db, "CREATE TABLE d (x)")
	q(t, db, "INSERT INTO d VALUES ('dumped')")
	b, err := db.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("SQLite format 3\x00")) || !bytes.Contains(b, []byte("dumped")) {
		t.Errorf("dump is not an SQLite file with the data (%d bytes)", len(b))
	}
}
