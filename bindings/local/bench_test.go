package local_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
)

// BenchmarkKV measures the store alone (no JS): compare with core/env's
// BenchmarkKV for the cost of the JS glue.
func BenchmarkKV(b *testing.B) {
	ctx := context.Background()
	for _, store := range []string{"memory", "disk"} {
		dir := ""
		if store == "disk" {
			dir = b.TempDir()
		}
		st, err := local.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		ns, _ := st.KV("bench")
		_ = ns.Put(ctx, "key", []byte("a value of some thirty bytes.."), kv.PutOptions{})
		for i := 0; i < 20; i++ {
			_ = ns.Put(ctx, fmt.Sprintf("list/%02d", i), []byte("v"), kv.PutOptions{})
		}
		b.Run(store+"/get", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := ns.Get(ctx, "key"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(store+"/put", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := ns.Put(ctx, "key", []byte("value"), kv.PutOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(store+"/list-10", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := ns.List(ctx, kv.ListOptions{Prefix: "list/", Limit: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
