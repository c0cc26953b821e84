package d1_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ferry-run/ferry/bindings/d1"
)

func TestExecLines(t *testing.T) {
	cases := []struct {
		in   string
		want []d1.Line
	}{
		{"SELECT 1", []d1.Line{{1, "SELECT 1"}}},
		{"\n\n  SELECT 1  \nSELECT 2  \n", []d1.Line{{1, "SELECT 1  "}, {2, "SELECT 2"}}},
		{"SELECT 1\n\n-- note\n  /* block */\nSELECT 2", []d1.Line{{1, "SELECT 1"}, {5, "SELECT 2"}}},
		{"", nil},
		{"   \n\t", nil},
	}
	for _, c := range cases {
		if got := d1.ExecLines(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExecLines(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestIsTransactionControl(t *testing.T) {
	cases := map[string]bool{
		"BEGIN": true, "begin transaction": true, " \n-- c\nCOMMIT": true, "/* x */ rollback to a": true,
		"END": true, "SAVEPOINT s": true, "RELEASE s": true, ";BEGIN": true,
		"SELECT 1": false, "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END": false,
		"BEGINNING": false, "ENDS": false, "": false, "-- BEGIN": false,
	}
	for sql, want := range cases {
		if got := d1.IsTransactionControl(sql); got != want {
			t.Errorf("IsTransactionControl(%q) = %v, want %v", sql, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{d1.SQLiteError("no such table: t", 1), "D1_ERROR: no such table: t: SQLITE_ERROR"},
		{d1.SQLiteError("UNIQUE constraint failed: t.id", 2067), "D1_ERROR: UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT"},
		{d1.SQLiteError("x", 999), "D1_ERROR: x: SQLITE_ERROR"},
		{d1.ExecError(3, "SELECT * FROM t", d1.SQLiteError("no such table: t", 1)), "D1_EXEC_ERROR: Error in line 3: SELECT * FROM t: no such table: t: SQLITE_ERROR"},
		{d1.ExecError(1, "x", errors.New("disk on fire")), "D1_EXEC_ERROR: Error in line 1: x: disk on fire"},
		{&d1.Error{Message: "m"}, "D1_ERROR: m"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
