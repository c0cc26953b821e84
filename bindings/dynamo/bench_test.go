package dynamo_test

import (
	"fmt"
	"testing"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/kv"
)

// BenchmarkGetPut measures a put and a get of a 1 KiB value, one request
// each, against moto on 127.0.0.1: mostly the SDK's and moto's own cost, a
// floor for the binding's overhead rather than DynamoDB's latency.
func BenchmarkGetPut(b *testing.B) {
	p := motoPeer(b)
	ns := dynamo.New(p.db, p.table(b))
	value := make([]byte, 1<<10)
	b.Run("Put", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := ns.Put(ctx, fmt.Sprint("k", i%100), value, kv.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, found, err := ns.Get(ctx, fmt.Sprint("k", i%100)); err != nil || !found {
				b.Fatal(found, err)
			}
		}
	})
}
