package local_test

import (
	"context"
	"testing"

	"github.com/ferry-run/ferry/bindings/d1"
)

// BenchmarkD1Query is one point lookup, one insert and a 2-statement batch
// on the store alone (no JS): the SQL side of a D1 call.
func BenchmarkD1Query(b *testing.B) {
	ctx := context.Background()
	for _, store := range []string{"memory", "disk"} {
		dir := ""
		if store == "disk" {
			dir = b.TempDir()
		}
		db := openD1(b, dir, "bench")
		if _, err := db.Exec(ctx, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP)"); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			if _, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO notes (title) VALUES (?)", Params: []d1.Value{"title"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(store+"/select-by-id", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := db.Query(ctx, d1.Statement{SQL: "SELECT * FROM notes WHERE id = ?", Params: []d1.Value{int64(i%100 + 1)}}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(store+"/insert", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := db.Query(ctx, d1.Statement{SQL: "INSERT INTO notes (title) VALUES (?)", Params: []d1.Value{"x"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(store+"/batch-2", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := db.Batch(ctx, []d1.Statement{{SQL: "INSERT INTO notes (title) VALUES ('y')"}, {SQL: "SELECT count(*) FROM notes"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
