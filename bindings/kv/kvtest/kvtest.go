// Package kvtest is the conformance suite for kv.Namespace implementations:
// every implementation (local SQLite, remote stores) runs the same tests, so
// Workers code sees the same KV whichever host it runs on.
//
// Use it from the implementation's tests:
//
//	func TestConformance(t *testing.T) {
//		kvtest.Run(t, func(t *testing.T, now kv.Clock) kv.Namespace {
//			return openEmptyNamespace(t, now)
//		})
//	}
//
// open must return an empty namespace whose notion of time is now (the suite
// moves it to test expiry), cleaned up when t ends.
package kvtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/internal/testutil"
)

// Clock is a fake clock (testutil.Clock: Now, Advance).
type Clock = testutil.Clock

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return testutil.NewClock(start) }

// Start is where each test's clock starts: half a second past a whole second,
// so rounding to Cloudflare's whole seconds shows.
var Start = time.Unix(1_700_000_000, 500_000_000)

type opener func(t *testing.T, now kv.Clock) kv.Namespace

// Run runs the conformance suite against the namespaces open returns.
func Run(t *testing.T, open func(t *testing.T, now kv.Clock) kv.Namespace) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open opener)
	}{
		{"RoundTrip", testRoundTrip},
		{"Missing", testMissing},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"Metadata", testMetadata},
		{"Expiry", testExpiry},
		{"ListOrder", testListOrder},
		{"ListPrefix", testListPrefix},
		{"ListPagination", testListPagination},
		{"ListDefaultLimit", testListDefaultLimit},
		{"Limits", testLimits},
		{"GetMany", testGetMany},
		{"Concurrency", testConcurrency},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func newNS(t *testing.T, open opener) (kv.Namespace, *Clock) {
	c := NewClock(Start)
	return open(t, c.Now), c
}

var ctx = context.Background()

func mustPut(t *testing.T, ns kv.Namespace, key string, value []byte, opts kv.PutOptions) {
	t.Helper()
	if err := ns.Put(ctx, key, value, opts); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, ns kv.Namespace, key string) (kv.Entry, bool) {
	t.Helper()
	e, found, err := ns.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return e, found
}

func mustList(t *testing.T, ns kv.Namespace, opts kv.ListOptions) kv.ListResult {
	t.Helper()
	res, err := ns.List(ctx, opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	return res
}

func names(keys []kv.Key) []string {
	out := []string{}
	for _, k := range keys {
		out = append(out, k.Name)
	}
	return out
}

func allBytes() []byte {
	b := make([]byte, 512)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testRoundTrip(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	cases := []struct {
		name, key string
		value     []byte
	}{
		{"text", "greeting", []byte("hello, world")},
		{"binary", "bin", allBytes()},
		{"empty value", "empty", []byte{}},
		{"unicode key", "ключ/😀/é", []byte("unicode")},
		{"spaces and slashes", "a b/c?d=e&f#g", []byte("x")},
		{"longest key", strings.Repeat("k", kv.MaxKeySize), []byte("long")},
		{"longest unicode key", strings.Repeat("é", kv.MaxKeySize/2), []byte("long")},
		{"NUL in key", "nul\x00key", []byte("nul")},
		{"largest value", "big", bytes.Repeat([]byte{'v'}, kv.MaxValueSize)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustPut(t, ns, c.key, c.value, kv.PutOptions{})
			e, found := mustGet(t, ns, c.key)
			if !found {
				t.Fatalf("Get(%q): not found after Put", c.key)
			}
			if !bytes.Equal(e.Value, c.value) || e.Value == nil {
				t.Fatalf("Get(%q) = %d bytes %.20q, want %d bytes %.20q", c.key, len(e.Value), e.Value, len(c.value), c.value)
			}
			if e.Metadata != nil || !e.Expiration.IsZero() {
				t.Errorf("Get(%q): metadata %q, expiration %v; want none", c.key, e.Metadata, e.Expiration)
			}
		})
	}
}

func testMissing(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	mustPut(t, ns, "present", []byte("1"), kv.PutOptions{})
	for _, key := range []string{"absent", "Present", "present ", "presen"} {
		if e, found := mustGet(t, ns, key); found {
			t.Errorf("Get(%q) found %q, want nothing", key, e.Value)
		}
	}
}

func testOverwrite(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	mustPut(t, ns, "k", []byte("first"), kv.PutOptions{Metadata: []byte(`{"v":1}`), ExpirationTTL: time.Hour})
	mustPut(t, ns, "k", []byte("second"), kv.PutOptions{})
	e, _ := mustGet(t, ns, "k")
	if string(e.Value) != "second" || e.Metadata != nil || !e.Expiration.IsZero() {
		t.Fatalf("after overwrite: value %q metadata %q expiration %v; want \"second\", no metadata, no expiration", e.Value, e.Metadata, e.Expiration)
	}
	if got := names(mustList(t, ns, kv.ListOptions{}).Keys); len(got) != 1 {
		t.Fatalf("list after overwrite = %q, want one key", got)
	}
}

func testDelete(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	mustPut(t, ns, "a", []byte("1"), kv.PutOptions{})
	mustPut(t, ns, "b", []byte("2"), kv.PutOptions{})
	for _, key := range []string{"a", "a", "never-there"} {
		if err := ns.Delete(ctx, key); err != nil {
			t.Fatalf("Delete(%q): %v", key, err)
		}
	}
	if _, found := mustGet(t, ns, "a"); found {
		t.Fatal("deleted key still found")
	}
	if _, found := mustGet(t, ns, "b"); !found {
		t.Fatal("Delete removed another key")
	}
	if got := names(mustList(t, ns, kv.ListOptions{}).Keys); len(got) != 1 || got[0] != "b" {
		t.Fatalf("list after delete = %q, want [b]", got)
	}
}

func testMetadata(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	metas := map[string]string{
		"object": `{"author":"ferry","n":[1,2.5,null],"nested":{"ok":true}}`,
		"string": `"just a string"`,
		"number": `42`,
		"null":   `null`,
		"max":    `"` + strings.Repeat("m", kv.MaxMetadataSize-2) + `"`,
	}
	for key, meta := range metas {
		mustPut(t, ns, key, []byte("v"), kv.PutOptions{Metadata: []byte(meta)})
	}
	mustPut(t, ns, "none", []byte("v"), kv.PutOptions{})
	for key, meta := range metas {
		e, found := mustGet(t, ns, key)
		if !found || string(e.Metadata) != meta {
			t.Errorf("Get(%q) metadata = %q (found %v), want %q", key, e.Metadata, found, meta)
		}
	}
	res := mustList(t, ns, kv.ListOptions{})
	for _, k := range res.Keys {
		want, has := metas[k.Name]
		if !has {
			if k.Metadata != nil {
				t.Errorf("list: %q has metadata %q, want none", k.Name, k.Metadata)
			}
			continue
		}
		if string(k.Metadata) != want {
			t.Errorf("list: %q metadata = %q, want %q", k.Name, k.Metadata, want)
		}
	}
	if len(res.Keys) != len(metas)+1 {
		t.Errorf("list returned %d keys, want %d", len(res.Keys), len(metas)+1)
	}
}

func testExpiry(t *testing.T, open opener) {
	ns, clock := newNS(t, open)
	whole := Start.Unix() // Start is half a second past this
	mustPut(t, ns, "ttl", []byte("t"), kv.PutOptions{ExpirationTTL: 60 * time.Second})
	mustPut(t, ns, "abs", []byte("a"), kv.PutOptions{Expiration: time.Unix(whole+120, 0)})
	mustPut(t, ns, "forever", []byte("f"), kv.PutOptions{})
	mustPut(t, ns, "ttl-meta", []byte("m"), kv.PutOptions{ExpirationTTL: 90 * time.Second, Metadata: []byte(`{"a":1}`)})

	want := map[string]int64{"ttl": whole + 60, "abs": whole + 120, "ttl-meta": whole + 90}
	for key, exp := range want {
		e, found := mustGet(t, ns, key)
		if !found || e.Expiration.Unix() != exp || e.Expiration.Nanosecond() != 0 {
			t.Errorf("Get(%q) expiration = %v (found %v), want %d (whole seconds)", key, e.Expiration, found, exp)
		}
	}
	for _, k := range mustList(t, ns, kv.ListOptions{}).Keys {
		if exp, ok := want[k.Name]; ok && k.Expiration.Unix() != exp {
			t.Errorf("list: %q expiration = %v, want %d", k.Name, k.Expiration, exp)
		} else if !ok && !k.Expiration.IsZero() {
			t.Errorf("list: %q expiration = %v, want none", k.Name, k.Expiration)
		}
	}

	visible := func(at string, keys ...string) {
		t.Helper()
		got := names(mustList(t, ns, kv.ListOptions{}).Keys)
		sort.Strings(keys)
		if fmt.Sprint(got) != fmt.Sprint(keys) {
			t.Errorf("%s: list = %q, want %q", at, got, keys)
		}
		many, err := ns.GetMany(ctx, []string{"abs", "forever", "ttl", "ttl-meta"})
		if err != nil {
			t.Fatalf("%s: GetMany: %v", at, err)
		}
		for i, key := range []string{"abs", "forever", "ttl", "ttl-meta"} {
			_, found := mustGet(t, ns, key)
			shouldBe := false
			for _, k := range keys {
				shouldBe = shouldBe || k == key
			}
			if found != shouldBe {
				t.Errorf("%s: Get(%q) found = %v, want %v", at, key, found, shouldBe)
			}
			if (many[i] != nil) != shouldBe {
				t.Errorf("%s: GetMany[%q] found = %v, want %v", at, key, many[i] != nil, shouldBe)
			}
		}
	}
	clock.Advance(59 * time.Second) // whole+59.5
	visible("after 59s", "abs", "forever", "ttl", "ttl-meta")
	clock.Advance(500 * time.Millisecond) // whole+60: "ttl" expires at this instant
	visible("at the ttl expiration", "abs", "forever", "ttl-meta")
	clock.Advance(30 * time.Second) // whole+90
	visible("at the ttl-meta expiration", "abs", "forever")
	clock.Advance(time.Hour)
	visible("an hour later", "forever")

	// An expired key can be put again.
	mustPut(t, ns, "ttl", []byte("again"), kv.PutOptions{})
	if e, found := mustGet(t, ns, "ttl"); !found || string(e.Value) != "again" || !e.Expiration.IsZero() {
		t.Errorf("re-put after expiry: %q found %v expiration %v", e.Value, found, e.Expiration)
	}
}

func testListOrder(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	// UTF-8 byte order differs from UTF-16 code-unit order (what JS sorts by)
	// for U+FF61 vs U+1F600, and from case-insensitive or locale orders.
	keys := []string{"b", "a", "B", "A", "é", "e", "z", "\uff61", "\U0001F600", "a/b", "a.b", "a b", "aa", "0", "~"}
	for _, k := range keys {
		mustPut(t, ns, k, []byte(k), kv.PutOptions{})
	}
	want := append([]string(nil), keys...)
	sort.Strings(want) // Go compares strings bytewise
	got := names(mustList(t, ns, kv.ListOptions{}).Keys)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("list order = %q\nwant (UTF-8 bytes) %q", got, want)
	}
}

func testListPrefix(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	keys := []string{"a", "ab", "abc", "abd", "ac", "b", "a%", "a%b", "a_", "a_b", "aXb", "é", "éa", "\U0001F600x", "\U0001F600"}
	for _, k := range keys {
		mustPut(t, ns, k, []byte("v"), kv.PutOptions{})
	}
	cases := []struct {
		prefix string
		want   []string
	}{
		{"", nil}, // all
		{"ab", []string{"ab", "abc", "abd"}},
		{"abc", []string{"abc"}},
		{"abcd", []string{}},
		{"a%", []string{"a%", "a%b"}}, // literal, not a LIKE pattern
		{"a_", []string{"a_", "a_b"}},
		{"é", []string{"é", "éa"}},
		{"\U0001F600", []string{"\U0001F600", "\U0001F600x"}},
		{"zzz", []string{}},
	}
	for _, c := range cases {
		want := c.want
		if want == nil {
			want = append([]string(nil), keys...)
			sort.Strings(want)
		}
		res := mustList(t, ns, kv.ListOptions{Prefix: c.prefix})
		if got := names(res.Keys); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("prefix %q: %q, want %q", c.prefix, got, want)
		}
		if !res.ListComplete || res.Cursor != "" {
			t.Errorf("prefix %q: list_complete %v cursor %q, want complete", c.prefix, res.ListComplete, res.Cursor)
		}
	}
}

// walk lists every page and returns the keys and page sizes.
func walk(t *testing.T, ns kv.Namespace, opts kv.ListOptions) (all []string, pages []int) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("list does not end")
		}
		res := mustList(t, ns, opts)
		all = append(all, names(res.Keys)...)
		pages = append(pages, len(res.Keys))
		if res.ListComplete {
			if res.Cursor != "" {
				t.Errorf("complete page has cursor %q", res.Cursor)
			}
			return all, pages
		}
		if res.Cursor == "" {
			t.Fatal("incomplete page without a cursor")
		}
		opts.Cursor = res.Cursor
	}
}

func testListPagination(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	var want, wantP []string
	for i := 0; i < 250; i++ {
		k := fmt.Sprintf("item:%04d", i)
		mustPut(t, ns, k, []byte("v"), kv.PutOptions{})
		want = append(want, k)
		if i >= 100 && i < 200 {
			wantP = append(wantP, k)
		}
		mustPut(t, ns, fmt.Sprintf("other:%03d", i), []byte("v"), kv.PutOptions{})
	}
	cases := []struct {
		name      string
		opts      kv.ListOptions
		want      []string
		wantPages []int
	}{
		{"limit 100", kv.ListOptions{Prefix: "item:", Limit: 100}, want, []int{100, 100, 50}},
		{"limit 7 with prefix", kv.ListOptions{Prefix: "item:01", Limit: 7}, wantP, []int{7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2}},
		{"limit 1", kv.ListOptions{Prefix: "item:000", Limit: 1}, want[:10], []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}},
		{"exact fit", kv.ListOptions{Prefix: "item:01", Limit: 100}, wantP, []int{100, 0}},
		{"limit 1000", kv.ListOptions{Prefix: "item:", Limit: 1000}, want, []int{250}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, pages := walk(t, ns, c.opts)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("keys = %d %q..., want %d", len(got), got[:min(3, len(got))], len(c.want))
			}
			// An exact fit may end on the full page or on an empty one after it.
			if fmt.Sprint(pages) != fmt.Sprint(c.wantPages) && fmt.Sprint(append(pages, 0)) != fmt.Sprint(c.wantPages) {
				t.Errorf("page sizes = %v, want %v", pages, c.wantPages)
			}
		})
	}
	t.Run("writes between pages", func(t *testing.T) {
		res := mustList(t, ns, kv.ListOptions{Prefix: "item:", Limit: 10})
		// A key added before the cursor is not seen; one added after is.
		mustPut(t, ns, "item:0000a", []byte("v"), kv.PutOptions{})
		mustPut(t, ns, "item:0500", []byte("v"), kv.PutOptions{})
		rest, _ := walk(t, ns, kv.ListOptions{Prefix: "item:", Limit: 100, Cursor: res.Cursor})
		if rest[0] != "item:0010" || rest[len(rest)-1] != "item:0500" || len(rest) != 241 {
			t.Errorf("after cursor: %d keys from %q to %q, want 241 from item:0010 to item:0500", len(rest), rest[0], rest[len(rest)-1])
		}
	})
}

func testListDefaultLimit(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	for i := 0; i < kv.MaxListLimit+5; i++ {
		mustPut(t, ns, fmt.Sprintf("k%05d", i), nil, kv.PutOptions{})
	}
	res := mustList(t, ns, kv.ListOptions{})
	if len(res.Keys) != kv.MaxListLimit || res.ListComplete || res.Cursor == "" {
		t.Fatalf("default list: %d keys, complete %v, cursor %q; want %d, incomplete, a cursor", len(res.Keys), res.ListComplete, res.Cursor, kv.MaxListLimit)
	}
	next := mustList(t, ns, kv.ListOptions{Cursor: res.Cursor})
	if got := names(next.Keys); len(got) != 5 || got[0] != "k01000" || !next.ListComplete {
		t.Fatalf("second page: %q complete %v", got, next.ListComplete)
	}
}

func testLimits(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	whole := Start.Unix()
	long := strings.Repeat("k", kv.MaxKeySize+1)
	longUnicode := strings.Repeat("é", kv.MaxKeySize/2) + "x" // 513 bytes, 257 characters
	cases := []struct {
		name      string
		op        func() error
		want      string
		typeError bool
	}{
		{"get empty key", func() error { _, _, err := ns.Get(ctx, ""); return err }, "Key name cannot be empty.", true},
		{"get dot", func() error { _, _, err := ns.Get(ctx, "."); return err }, `"." is not allowed as a key name.`, true},
		{"get dot dot", func() error { _, _, err := ns.Get(ctx, ".."); return err }, `".." is not allowed as a key name.`, true},
		{"get long key", func() error { _, _, err := ns.Get(ctx, long); return err }, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
		{"get long unicode key", func() error { _, _, err := ns.Get(ctx, longUnicode); return err }, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
		{"put empty key", func() error { return ns.Put(ctx, "", []byte("v"), kv.PutOptions{}) }, "Key name cannot be empty.", true},
		{"put dot", func() error { return ns.Put(ctx, ".", []byte("v"), kv.PutOptions{}) }, `"." is not allowed as a key name.`, true},
		{"put long key", func() error { return ns.Put(ctx, long, []byte("v"), kv.PutOptions{}) }, "KV PUT failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
		{"put large value", func() error { return ns.Put(ctx, "big", make([]byte, kv.MaxValueSize+1), kv.PutOptions{}) }, "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.", false},
		{"put large metadata", func() error {
			return ns.Put(ctx, "m", []byte("v"), kv.PutOptions{Metadata: []byte(`"` + strings.Repeat("m", kv.MaxMetadataSize-1) + `"`)})
		}, "KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024.", false},
		{"put short ttl", func() error { return ns.Put(ctx, "t", []byte("v"), kv.PutOptions{ExpirationTTL: 59 * time.Second}) }, "KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60.", false},
		{"put negative ttl", func() error { return ns.Put(ctx, "t", []byte("v"), kv.PutOptions{ExpirationTTL: -time.Second}) }, "KV PUT failed: 400 Invalid expiration_ttl of -1. Please specify integer greater than 0.", false},
		{"put past expiration", func() error { return ns.Put(ctx, "t", []byte("v"), kv.PutOptions{Expiration: time.Unix(whole, 0)}) }, fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", whole), false},
		{"put near expiration", func() error { return ns.Put(ctx, "t", []byte("v"), kv.PutOptions{Expiration: time.Unix(whole+59, 0)}) }, fmt.Sprintf("KV PUT failed: 400 Invalid expiration of %d. Expiration times must be at least 60 seconds in the future.", whole+59), false},
		{"delete empty key", func() error { return ns.Delete(ctx, "") }, "Key name cannot be empty.", true},
		{"delete dot dot", func() error { return ns.Delete(ctx, "..") }, `".." is not allowed as a key name.`, true},
		{"delete long key", func() error { return ns.Delete(ctx, long) }, "KV DELETE failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
		{"list limit too big", func() error { _, err := ns.List(ctx, kv.ListOptions{Limit: 1001}); return err }, "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.", false},
		{"list negative limit", func() error { _, err := ns.List(ctx, kv.ListOptions{Limit: -1}); return err }, "KV GET failed: 400 Invalid key_count_limit of -1. Please specify an integer greater than 0.", false},
		{"list long prefix", func() error { _, err := ns.List(ctx, kv.ListOptions{Prefix: long}); return err }, "KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
		{"list bad cursor", func() error { _, err := ns.List(ctx, kv.ListOptions{Cursor: "not a cursor!"}); return err }, `KV GET failed: 400 Invalid cursor "not a cursor!".`, false},
		{"bulk get too many", func() error { _, err := ns.GetMany(ctx, make([]string, 101)); return err }, "KV GET_BULK failed: 400 You can request a maximum of 100 keys", false},
		{"bulk get none", func() error { _, err := ns.GetMany(ctx, nil); return err }, "KV GET_BULK failed: 400 You must request a minimum of 1 key", false},
		{"bulk get empty key", func() error { _, err := ns.GetMany(ctx, []string{"a", ""}); return err }, "KV GET_BULK failed: 400 Key names must not be empty", false},
		{"bulk get dot", func() error { _, err := ns.GetMany(ctx, []string{"."}); return err }, `KV GET_BULK failed: 400 Illegal key name ".". Please use a different name.`, false},
		{"bulk get long key", func() error { _, err := ns.GetMany(ctx, []string{long}); return err }, "KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.op()
			var kerr *kv.Error
			if !errors.As(err, &kerr) {
				t.Fatalf("error = %v, want a *kv.Error %q", err, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("error = %q\nwant    %q", err.Error(), c.want)
			}
			if kerr.TypeError != c.typeError {
				t.Errorf("TypeError = %v, want %v", kerr.TypeError, c.typeError)
			}
		})
	}
	// Nothing a failed put tried to write is there.
	for _, key := range []string{"big", "m", "t"} {
		if _, found := mustGet(t, ns, key); found {
			t.Errorf("failed put left %q behind", key)
		}
	}
	// Boundaries that must pass.
	mustPut(t, ns, "ttl60", []byte("v"), kv.PutOptions{ExpirationTTL: 60 * time.Second})
	mustPut(t, ns, "exp60", []byte("v"), kv.PutOptions{Expiration: time.Unix(whole+60, 0)})
	if _, err := ns.List(ctx, kv.ListOptions{Limit: 1000, Prefix: strings.Repeat("k", kv.MaxKeySize)}); err != nil {
		t.Errorf("list with limit 1000 and a 512-byte prefix: %v", err)
	}
	keys := make([]string, kv.MaxBulkGetKeys)
	for i := range keys {
		keys[i] = fmt.Sprint("bulk", i)
	}
	if _, err := ns.GetMany(ctx, keys); err != nil {
		t.Errorf("bulk get of %d keys: %v", len(keys), err)
	}
}

func testGetMany(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	mustPut(t, ns, "a", []byte("A"), kv.PutOptions{Metadata: []byte(`{"m":"a"}`)})
	mustPut(t, ns, "b", []byte{}, kv.PutOptions{})
	mustPut(t, ns, "c", []byte("C"), kv.PutOptions{ExpirationTTL: time.Hour})
	keys := []string{"c", "missing", "a", "b", "a"}
	got, err := ns.GetMany(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys) {
		t.Fatalf("GetMany returned %d entries for %d keys", len(got), len(keys))
	}
	want := []string{"C", "", "A", "", "A"}
	for i, k := range keys {
		if k == "missing" {
			if got[i] != nil {
				t.Errorf("[%d] %q = %q, want nil", i, k, got[i].Value)
			}
			continue
		}
		if got[i] == nil || string(got[i].Value) != want[i] {
			t.Errorf("[%d] %q = %v, want %q", i, k, got[i], want[i])
		}
	}
	if string(got[2].Metadata) != `{"m":"a"}` || got[3].Metadata != nil {
		t.Errorf("metadata: a=%q b=%q", got[2].Metadata, got[3].Metadata)
	}
	if got[0].Expiration.Unix() != Start.Unix()+3600 {
		t.Errorf("expiration of c = %v", got[0].Expiration)
	}
}

func testConcurrency(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*4)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				own := fmt.Sprintf("w%d/%03d", w, i)
				val := []byte(fmt.Sprint(w, "-", i))
				if err := ns.Put(ctx, own, val, kv.PutOptions{}); err != nil {
					errs <- err
					continue
				}
				if err := ns.Put(ctx, "shared", val, kv.PutOptions{}); err != nil {
					errs <- err
				}
				e, found, err := ns.Get(ctx, own)
				if err != nil || !found || !bytes.Equal(e.Value, val) {
					errs <- fmt.Errorf("read-your-write %s: %q %v %v", own, e.Value, found, err)
				}
				if _, err := ns.List(ctx, kv.ListOptions{Prefix: fmt.Sprintf("w%d/", w), Limit: 10}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	all, _ := walk(t, ns, kv.ListOptions{})
	if len(all) != workers*each+1 {
		t.Errorf("%d keys after concurrent writes, want %d", len(all), workers*each+1)
	}
	e, _ := mustGet(t, ns, "shared")
	if !bytes.HasSuffix(e.Value, []byte(fmt.Sprint("-", each-1))) {
		t.Errorf("shared = %q: not one of the last writes", e.Value)
	}
}

func testCancelled(t *testing.T, open opener) {
	ns, _ := newNS(t, open)
	mustPut(t, ns, "k", []byte("v"), kv.PutOptions{})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := ns.Get(cctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v, want context.Canceled", err)
	}
	if err := ns.Put(cctx, "k2", []byte("v"), kv.PutOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v, want context.Canceled", err)
	}
	if _, found := mustGet(t, ns, "k2"); found {
		t.Error("Put with a cancelled context wrote anyway")
	}
}
