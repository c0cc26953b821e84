package dynamo_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
)

// TestListSkipsExpired: expired items still in the index (DynamoDB's TTL is
// lazy) take no place in a page: pages keep their size, cursors point past
// the last key returned, and a page followed only by expired items is the
// last one.
func TestListSkipsExpired(t *testing.T) {
	eachPeer(t, func(t *testing.T, p peer) {
		clock := kvtest.NewClock(kvtest.Start)
		ns := dynamo.New(p.db, p.fakeClockTable(t), dynamo.WithClock(clock.Now))
		var live []string
		for i := 0; i < 30; i++ {
			k := fmt.Sprintf("k%02d", i)
			opts := kv.PutOptions{}
			// Runs of expiring keys: k00-k02, k06-k08, ..., and all of k20-k29.
			if i%6 < 3 || i >= 20 {
				opts.ExpirationTTL = time.Minute
			} else {
				live = append(live, k)
			}
			if err := ns.Put(ctx, k, []byte("v"), opts); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(time.Minute)

		for _, limit := range []int{1, 2, 3, 4, 10, 1000} {
			t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
				var got []string
				var pages []int
				cursor := ""
				for i := 0; ; i++ {
					if i > 20 {
						t.Fatal("list does not end")
					}
					res, err := ns.List(ctx, kv.ListOptions{Limit: limit, Cursor: cursor})
					if err != nil {
						t.Fatal(err)
					}
					pages = append(pages, len(res.Keys))
					for _, k := range res.Keys {
						got = append(got, k.Name)
					}
					if res.ListComplete {
						break
					}
					if len(res.Keys) != limit || res.Cursor != kv.Cursor(res.Keys[len(res.Keys)-1].Name) {
						t.Fatalf("incomplete page of %d keys (limit %d) with cursor %q", len(res.Keys), limit, res.Cursor)
					}
					cursor = res.Cursor
				}
				if fmt.Sprint(got) != fmt.Sprint(live) {
					t.Errorf("keys = %q\nwant %q", got, live)
				}
				// 10 live keys: full pages, then the rest; no empty page
				// after the last live key, as only expired ones follow it.
				want := []int{}
				for n := len(live); n > 0; n -= limit {
					want = append(want, min(n, limit))
				}
				if fmt.Sprint(pages) != fmt.Sprint(want) {
					t.Errorf("page sizes = %v, want %v", pages, want)
				}
			})
		}
		res, err := ns.List(ctx, kv.ListOptions{Prefix: "k2"})
		if err != nil || len(res.Keys) != 0 || !res.ListComplete {
			t.Errorf("list of a prefix holding only expired keys: %+v, %v", res, err)
		}
	})
}

// TestInvalidUTF8: DynamoDB stores keys as UTF-8 strings, so a key that is
// not valid UTF-8 (never one from JavaScript) is rejected, not changed.
func TestInvalidUTF8(t *testing.T) {
	p := motoPeer(t)
	ns := dynamo.New(p.db, p.table(t))
	bad := "a\xffb"
	errs := map[string]error{
		"put":          ns.Put(ctx, bad, []byte("v"), kv.PutOptions{}),
		"delete":       ns.Delete(ctx, bad),
		"put metadata": ns.Put(ctx, "k", []byte("v"), kv.PutOptions{Metadata: []byte("\"\xff\"")}),
	}
	_, _, errs["get"] = ns.Get(ctx, bad)
	_, errs["get many"] = ns.GetMany(ctx, []string{"ok", bad})
	_, errs["list prefix"] = ns.List(ctx, kv.ListOptions{Prefix: bad})
	_, errs["list cursor"] = ns.List(ctx, kv.ListOptions{Cursor: kv.Cursor(bad)})
	for op, err := range errs {
		var kerr *kv.Error
		if !errors.As(err, &kerr) || kerr.Status != 400 {
			t.Errorf("%s with invalid UTF-8: %v, want a 400 kv.Error", op, err)
		}
	}
}
