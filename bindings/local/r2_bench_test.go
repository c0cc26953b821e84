package local_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/r2"
)

// BenchmarkR2 measures the on-disk bucket from Go: small and 1 MiB puts
// (temp file, rename, one SQLite transaction), heads, and gets read to the
// end.
func BenchmarkR2(b *testing.B) {
	ctx := context.Background()
	small := []byte("a value of some thirty bytes..")
	big := make([]byte, 1<<20)
	for _, tc := range []struct {
		name string
		run  func(b *testing.B, bk *local.R2, i int)
	}{
		{"put-small", func(b *testing.B, bk *local.R2, i int) {
			if _, err := bk.Put(ctx, "k", bytes.NewReader(small), r2.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}},
		{"put-1MiB", func(b *testing.B, bk *local.R2, i int) {
			if _, err := bk.Put(ctx, "k", bytes.NewReader(big), r2.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}},
		{"head", func(b *testing.B, bk *local.R2, i int) {
			if o, err := bk.Head(ctx, "small"); err != nil || o == nil {
				b.Fatal(o, err)
			}
		}},
		{"get-small", func(b *testing.B, bk *local.R2, i int) { readAll(b, bk, "small") }},
		{"get-1MiB", func(b *testing.B, bk *local.R2, i int) { readAll(b, bk, "big") }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st, err := local.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			bk, _ := st.R2("bench")
			_, _ = bk.Put(ctx, "small", bytes.NewReader(small), r2.PutOptions{})
			_, _ = bk.Put(ctx, "big", bytes.NewReader(big), r2.PutOptions{})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tc.run(b, bk, i)
			}
		})
	}
}

func readAll(b *testing.B, bk *local.R2, key string) {
	res, err := bk.Get(context.Background(), key, r2.GetOptions{})
	if err != nil || res == nil {
		b.Fatal(res, err)
	}
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
}
