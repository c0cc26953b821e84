// Package dotest is the conformance suite for do.Store implementations: every
// implementation (the embedded SQLite one, remote ones later) runs the same
// tests, so a Durable Object sees the same storage whichever host runs it.
//
// Use it from the implementation's tests:
//
//	func TestDurableObjectsConformance(t *testing.T) {
//		dotest.Run(t, func(t *testing.T) do.Store { return openEmptyStore(t) })
//	}
//
// open must return an empty store, cleaned up when t ends.
package dotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/do"
)

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) do.Store) {
	object := func(t *testing.T, st do.Store, ns, id string) do.Storage {
		t.Helper()
		s, err := st.Open(context.Background(), ns, id)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	fresh := func(t *testing.T) do.Storage {
		return object(t, open(t), "test-Counter", do.NameID("test-Counter", "a"))
	}
	ctx := context.Background()

	t.Run("GetPutDelete", func(t *testing.T) {
		s := fresh(t)
		got, err := s.Get(ctx, []string{"missing"})
		if err != nil || len(got) != 1 || got[0] != nil {
			t.Fatalf("Get(missing) = %q, %v; want [nil]", got, err)
		}
		must(t, s.Put(ctx, []do.Entry{{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte("2")}, {Key: "empty", Value: []byte{}}}))
		got, err = s.Get(ctx, []string{"b", "nope", "a", "empty"})
		must(t, err)
		if string(got[0]) != "2" || got[1] != nil || string(got[2]) != "1" || got[3] == nil || len(got[3]) != 0 {
			t.Fatalf("Get = %q; want [2 nil 1 \"\"] (an empty value is not a missing one)", got)
		}
		must(t, s.Put(ctx, []do.Entry{{Key: "a", Value: []byte("one")}}))
		got, _ = s.Get(ctx, []string{"a"})
		if string(got[0]) != "one" {
			t.Fatalf("overwritten a = %q", got[0])
		}
		n, err := s.Delete(ctx, []string{"a", "nope", "b"})
		must(t, err)
		if n != 2 {
			t.Fatalf("Delete counted %d; want 2", n)
		}
		got, _ = s.Get(ctx, []string{"a", "b"})
		if got[0] != nil || got[1] != nil {
			t.Fatalf("deleted keys still there: %q", got)
		}
	})

	t.Run("Limits", func(t *testing.T) {
		s := fresh(t)
		big := strings.Repeat("k", do.MaxKeySize+1)
		wantErr(t, s.Put(ctx, []do.Entry{{Key: big, Value: []byte("v")}}), "RangeError", "Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.")
		_, err := s.Get(ctx, []string{big})
		wantErr(t, err, "RangeError", "Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.")
		must(t, s.Put(ctx, []do.Entry{{Key: strings.Repeat("k", do.MaxKeySize), Value: make([]byte, do.MaxValueSize)}}))
		wantErr(t, s.Put(ctx, []do.Entry{{Key: "v", Value: make([]byte, do.MaxValueSize+1)}}), "RangeError", "Values cannot be larger than 131072 bytes. A value of size 131073 was provided.")
		keys := make([]string, do.MaxKeysPerCall+1)
		entries := make([]do.Entry, do.MaxKeysPerCall+1)
		for i := range keys {
			keys[i] = fmt.Sprint(i)
			entries[i] = do.Entry{Key: keys[i], Value: []byte("x")}
		}
		_, err = s.Get(ctx, keys)
		wantErr(t, err, "RangeError", "Maximum number of keys per call is 128. You provided 129.")
		_, err = s.Delete(ctx, keys)
		wantErr(t, err, "RangeError", "Maximum number of keys per call is 128. You provided 129.")
		wantErr(t, s.Put(ctx, entries), "RangeError", "Maximum number of pairs per call is 128. You provided 129.")
		// A rejected put writes nothing.
		got, _ := s.Get(ctx, keys[:3])
		if got[0] != nil {
			t.Fatal("a rejected put wrote some of its entries")
		}
		must(t, s.Put(ctx, entries[:do.MaxKeysPerCall]))
		if _, err := s.Get(ctx, keys[:do.MaxKeysPerCall]); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ListOrderAndOptions", func(t *testing.T) {
		s := fresh(t)
		// UTF-8 byte order: U+FFFF (EF BF BF) sorts before U+1F600 (F0 …),
		// which UTF-16 order would reverse.
		keys := []string{"a", "ab", "abc", "b", "ba", "c", "z", "é", "\uffff", "😀"}
		var entries []do.Entry
		for i := len(keys) - 1; i >= 0; i-- {
			entries = append(entries, do.Entry{Key: keys[i], Value: []byte(keys[i])})
		}
		must(t, s.Put(ctx, entries))
		cases := []struct {
			opts do.ListOptions
			want []string
		}{
			{do.ListOptions{}, keys},
			{do.ListOptions{Prefix: "ab"}, []string{"ab", "abc"}},
			{do.ListOptions{Start: "b"}, []string{"b", "ba", "c", "z", "é", "\uffff", "😀"}},
			{do.ListOptions{StartAfter: "b", End: "z"}, []string{"ba", "c"}},
			{do.ListOptions{Start: "ab", End: "b"}, []string{"ab", "abc"}},
			{do.ListOptions{Reverse: true, Limit: 3}, []string{"😀", "\uffff", "é"}},
			{do.ListOptions{Prefix: "a", Reverse: true}, []string{"abc", "ab", "a"}},
			{do.ListOptions{Limit: 2, Start: "b"}, []string{"b", "ba"}},
			{do.ListOptions{Prefix: "nothing"}, nil},
			{do.ListOptions{Prefix: "b", End: "ba"}, []string{"b"}},
		}
		for _, c := range cases {
			got, err := s.List(ctx, c.opts)
			must(t, err)
			var names []string
			for _, e := range got {
				names = append(names, e.Key)
				if e.Key != string(e.Value) {
					t.Fatalf("list %+v: %q has value %q", c.opts, e.Key, e.Value)
				}
			}
			if fmt.Sprint(names) != fmt.Sprint(c.want) {
				t.Errorf("List(%+v) = %q; want %q", c.opts, names, c.want)
			}
		}
		_, err := s.List(ctx, do.ListOptions{Start: "a", StartAfter: "b"})
		wantErr(t, err, "TypeError", "start and startAfter cannot be used together")
	})

	t.Run("Transactions", func(t *testing.T) {
		s := fresh(t)
		must(t, s.Put(ctx, []do.Entry{{Key: "kept", Value: []byte("1")}}))
		must(t, s.Begin(ctx))
		must(t, s.Put(ctx, []do.Entry{{Key: "outer", Value: []byte("1")}}))
		must(t, s.Begin(ctx))
		must(t, s.Put(ctx, []do.Entry{{Key: "inner", Value: []byte("1")}}))
		if _, err := s.Delete(ctx, []string{"kept"}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Get(ctx, []string{"inner", "kept"})
		if got[0] == nil || got[1] != nil {
			t.Fatal("a transaction does not see its own writes")
		}
		must(t, s.Rollback(ctx))
		must(t, s.Commit(ctx))
		got, _ = s.Get(ctx, []string{"outer", "inner", "kept"})
		if got[0] == nil || got[1] != nil || got[2] == nil {
			t.Fatalf("after inner rollback and outer commit: outer=%q inner=%q kept=%q; want 1, nil, 1", got[0], got[1], got[2])
		}
		must(t, s.Begin(ctx))
		_, err := s.Exec(ctx, "CREATE TABLE t (x)", nil)
		must(t, err)
		must(t, s.Put(ctx, []do.Entry{{Key: "gone", Value: []byte("1")}}))
		must(t, s.Rollback(ctx))
		if _, err := s.Exec(ctx, "SELECT * FROM t", nil); err == nil {
			t.Fatal("a rolled-back transaction kept its CREATE TABLE")
		}
		got, _ = s.Get(ctx, []string{"gone"})
		if got[0] != nil {
			t.Fatal("a rolled-back transaction kept its put")
		}
		if err := s.Commit(ctx); err == nil {
			t.Fatal("Commit without a transaction succeeded")
		}
	})

	t.Run("SQL", func(t *testing.T) {
		s := fresh(t)
		res, err := s.Exec(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL, data BLOB); INSERT INTO notes (body, score, data) VALUES (?, ?, ?)", []any{"hello", 1.5, []byte{1, 2}})
		must(t, err)
		if res.RowsWritten != 1 {
			t.Errorf("rowsWritten = %d; want 1", res.RowsWritten)
		}
		_, err = s.Exec(ctx, "INSERT INTO notes (body, score) VALUES (?, ?)", []any{"second", int64(7)})
		must(t, err)
		res, err = s.Exec(ctx, "SELECT id, body, score, data FROM notes ORDER BY id", nil)
		must(t, err)
		if fmt.Sprint(res.Columns) != "[id body score data]" || len(res.Rows) != 2 {
			t.Fatalf("columns %q, %d rows", res.Columns, len(res.Rows))
		}
		r := res.Rows[0]
		if r[0] != int64(1) || r[1] != "hello" || r[2] != 1.5 || !bytes.Equal(r[3].([]byte), []byte{1, 2}) || res.Rows[1][3] != nil {
			t.Fatalf("rows = %#v", res.Rows)
		}
		if res.RowsRead < 2 {
			t.Errorf("rowsRead = %d; want at least 2", res.RowsRead)
		}
		_, err = s.Exec(ctx, "SELECT * FROM nope", nil)
		wantErr(t, err, "Error", "no such table: nope: SQLITE_ERROR")
		_, err = s.Exec(ctx, "BEGIN TRANSACTION", nil)
		if err == nil || !strings.Contains(err.Error(), "state.storage.transaction()") {
			t.Fatalf("BEGIN: %v; want the error pointing to storage.transaction()", err)
		}
		// A failing statement of several undoes the ones before it.
		_, err = s.Exec(ctx, "INSERT INTO notes (body) VALUES ('x'); INSERT INTO nope VALUES (1)", nil)
		if err == nil {
			t.Fatal("inserting into a missing table succeeded")
		}
		res, _ = s.Exec(ctx, "SELECT count(*) AS n FROM notes", nil)
		if res.Rows[0][0] != int64(2) {
			t.Fatalf("count after a failed multi-statement exec = %v; want 2", res.Rows[0][0])
		}
		size, err := s.DatabaseSize(ctx)
		must(t, err)
		if size <= 0 {
			t.Fatalf("DatabaseSize = %d", size)
		}
	})

	t.Run("DeleteAll", func(t *testing.T) {
		s := fresh(t)
		must(t, s.Put(ctx, []do.Entry{{Key: "a", Value: []byte("1")}}))
		_, err := s.Exec(ctx, "CREATE TABLE t (x); CREATE VIEW v AS SELECT * FROM t", nil)
		must(t, err)
		at := time.UnixMilli(time.Now().Add(time.Hour).UnixMilli())
		must(t, s.SetAlarm(ctx, at))
		must(t, s.DeleteAll(ctx))
		list, err := s.List(ctx, do.ListOptions{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("after DeleteAll, list = %v", list)
		}
		if _, err := s.Exec(ctx, "SELECT * FROM t", nil); err == nil {
			t.Fatal("DeleteAll kept the object's table")
		}
		if _, err := s.Exec(ctx, "CREATE TABLE t (x)", nil); err != nil {
			t.Fatalf("creating the table again: %v", err)
		}
		got, ok, err := s.Alarm(ctx)
		must(t, err)
		if !ok || !got.Equal(at) {
			t.Fatalf("DeleteAll removed the alarm (got %v, %v)", got, ok)
		}
	})

	t.Run("AlarmsAndIsolation", func(t *testing.T) {
		st := open(t)
		a := object(t, st, "test-Counter", do.NameID("test-Counter", "a"))
		b := object(t, st, "test-Counter", do.NameID("test-Counter", "b"))
		other := object(t, st, "test-Other", do.NameID("test-Other", "a"))
		if _, ok, err := a.Alarm(ctx); ok || err != nil {
			t.Fatalf("a new object has an alarm (%v)", err)
		}
		t1 := time.UnixMilli(time.Now().Add(time.Minute).UnixMilli())
		t2 := t1.Add(-30 * time.Second)
		must(t, a.SetAlarm(ctx, t1))
		must(t, b.SetAlarm(ctx, t1.Add(time.Hour)))
		must(t, b.SetAlarm(ctx, t2)) // replaces
		must(t, other.SetAlarm(ctx, t1))
		alarms, err := st.Alarms(ctx, "test-Counter")
		must(t, err)
		if len(alarms) != 2 || alarms[0].ID != do.NameID("test-Counter", "b") || !alarms[0].At.Equal(t2) || !alarms[1].At.Equal(t1) {
			t.Fatalf("Alarms = %+v; want b at %v then a at %v", alarms, t2, t1)
		}
		must(t, a.DeleteAlarm(ctx))
		if _, ok, _ := a.Alarm(ctx); ok {
			t.Fatal("the alarm survived DeleteAlarm")
		}
		alarms, _ = st.Alarms(ctx, "test-Counter")
		if len(alarms) != 1 {
			t.Fatalf("Alarms after delete = %+v", alarms)
		}
		must(t, a.Put(ctx, []do.Entry{{Key: "k", Value: []byte("a")}}))
		got, _ := b.Get(ctx, []string{"k"})
		if got[0] != nil {
			t.Fatal("two objects share their storage")
		}
		if _, err := a.Exec(ctx, "CREATE TABLE mine (x)", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Exec(ctx, "SELECT * FROM mine", nil); err == nil {
			t.Fatal("two objects share their SQL tables")
		}
		// A second Open of the same object sees the same data.
		a2 := object(t, st, "test-Counter", do.NameID("test-Counter", "a"))
		got, _ = a2.Get(ctx, []string{"k"})
		if string(got[0]) != "a" {
			t.Fatalf("a second handle reads %q", got[0])
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, kind, msg string) {
	t.Helper()
	var de *do.Error
	if !errors.As(err, &de) {
		t.Fatalf("error = %v; want %s %q", err, kind, msg)
	}
	if de.Kind != kind || de.Message != msg {
		t.Fatalf("error = %s %q; want %s %q", de.Kind, de.Message, kind, msg)
	}
}
