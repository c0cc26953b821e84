// Package r2test is the conformance suite for r2.Bucket implementations:
// every implementation (local files and SQLite, remote stores) runs the same
// tests, so Workers code sees the same R2 whichever host it runs on.
//
// Use it from the implementation's tests:
//
//	func TestConformance(t *testing.T) {
//		r2test.Run(t, func(t *testing.T, now r2.Clock) r2.Bucket {
//			return openEmptyBucket(t, now)
//		})
//	}
//
// open must return an empty bucket whose notion of time is now (the suite
// moves it to test conditional requests), cleaned up when t ends. The
// multipart tests upload real 5 MiB parts.
package r2test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/internal/testutil"
)

// Clock is a fake clock (testutil.Clock: Now, Advance).
type Clock = testutil.Clock

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return testutil.NewClock(start) }

// Start is where each test's clock starts: with nanoseconds, so rounding to
// R2's milliseconds shows.
var Start = time.Unix(1_700_000_000, 123_456_789)

type opener func(t *testing.T, now r2.Clock) r2.Bucket

// Run runs the conformance suite against the buckets open returns.
func Run(t *testing.T, open func(t *testing.T, now r2.Clock) r2.Bucket) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open opener)
	}{
		{"RoundTrip", testRoundTrip},
		{"Metadata", testMetadata},
		{"Missing", testMissing},
		{"EmptyKey", testEmptyKey},
		{"Overwrite", testOverwrite},
		{"BodySurvivesOverwrite", testBodySurvivesOverwrite},
		{"Ranges", testRanges},
		{"RangeHeader", testRangeHeader},
		{"ConditionalGet", testConditionalGet},
		{"ConditionalPut", testConditionalPut},
		{"ConditionalHeaders", testConditionalHeaders},
		{"Checksums", testChecksums},
		{"Limits", testLimits},
		{"Delete", testDelete},
		{"ListOrderAndPrefix", testListOrder},
		{"ListPagination", testListPagination},
		{"ListStartAfter", testListStartAfter},
		{"ListDelimiter", testListDelimiter},
		{"ListInclude", testListInclude},
		{"ListLimits", testListLimits},
		{"Multipart", testMultipart},
		{"MultipartPartRules", testMultipartPartRules},
		{"MultipartLifecycle", testMultipartLifecycle},
		{"Concurrency", testConcurrency},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var ctx = context.Background()

func newBucket(t *testing.T, open opener) (r2.Bucket, *Clock) {
	c := NewClock(Start)
	return open(t, c.Now), c
}

func mustPut(t *testing.T, b r2.Bucket, key string, value []byte, opts r2.PutOptions) *r2.Object {
	t.Helper()
	o, err := b.Put(ctx, key, bytes.NewReader(value), opts)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if o == nil {
		t.Fatalf("Put(%q) returned no object", key)
	}
	return o
}

// read returns the body of a get (the whole object unless opts say).
func read(t *testing.T, b r2.Bucket, key string, opts r2.GetOptions) (*r2.GetResult, []byte) {
	t.Helper()
	res, err := b.Get(ctx, key, opts)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if res == nil {
		t.Fatalf("Get(%q) = nil", key)
	}
	if res.Body == nil {
		return res, nil
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return res, data
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

// wantError checks err is an *r2.Error reading want.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	var e *r2.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *r2.Error %q", err, err, want)
	}
	if e.Error() != want {
		t.Fatalf("error = %q\nwant    %q", e.Error(), want)
	}
}

func ptr(n int64) *int64 { return &n }

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func testRoundTrip(t *testing.T, open opener) {
	b, clock := newBucket(t, open)
	big := make([]byte, 3<<20+17)
	for i := range big {
		big[i] = byte(i * 31)
	}
	cases := []struct {
		name, key string
		value     []byte
	}{
		{"text", "greeting.txt", []byte("hello, world")},
		{"binary", "bin/all-bytes", func() []byte {
			b := make([]byte, 256)
			for i := range b {
				b[i] = byte(i)
			}
			return b
		}()},
		{"empty", "empty", []byte{}},
		{"unicode key", "dossier/été 🚀.txt", []byte("ü")},
		{"3 MiB", "big", big},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := mustPut(t, b, tc.key, tc.value, r2.PutOptions{})
			wantUploaded := time.UnixMilli(clock.Now().UnixMilli())
			if o.Key != tc.key || o.Size != int64(len(tc.value)) || o.ETag != md5hex(tc.value) ||
				o.HTTPETag() != `"`+md5hex(tc.value)+`"` || !hex32.MatchString(o.Version) ||
				!o.Uploaded.Equal(wantUploaded) || o.StorageClass != r2.StorageStandard || o.Range != nil {
				t.Fatalf("Put returned %+v", o)
			}
			if hex.EncodeToString(o.Checksums.MD5) != md5hex(tc.value) || o.Checksums.SHA1 != nil {
				t.Errorf("checksums = %+v, want md5 only", o.Checksums)
			}
			h, err := b.Head(ctx, tc.key)
			if err != nil || h == nil {
				t.Fatalf("Head: %v %v", h, err)
			}
			if h.Key != o.Key || h.Version != o.Version || h.Size != o.Size || h.ETag != o.ETag ||
				!h.Uploaded.Equal(o.Uploaded) || h.Range != nil || h.StorageClass != r2.StorageStandard {
				t.Errorf("Head = %+v, Put returned %+v", h, o)
			}
			res, data := read(t, b, tc.key, r2.GetOptions{})
			if !bytes.Equal(data, tc.value) {
				t.Fatalf("Get body = %d bytes, want %d", len(data), len(tc.value))
			}
			if res.Version != o.Version || res.Range == nil || *res.Range != (r2.ByteRange{Offset: 0, Length: int64(len(tc.value))}) {
				t.Errorf("Get = %+v", res.Object)
			}
		})
	}
	t.Run("nil value is empty", func(t *testing.T) {
		o, err := b.Put(ctx, "nil", nil, r2.PutOptions{})
		if err != nil || o == nil || o.Size != 0 || o.ETag != md5hex(nil) {
			t.Fatalf("Put(nil) = %+v, %v", o, err)
		}
	})
}

func testMetadata(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	expiry := time.Date(2030, 2, 24, 0, 0, 0, 0, time.UTC)
	hm := r2.HTTPMetadata{
		ContentType: "text/plain", ContentLanguage: "en-GB", ContentDisposition: `attachment; filename="v.txt"`,
		ContentEncoding: "gzip", CacheControl: "max-age=3600", CacheExpiry: expiry,
	}
	cm := map[string]string{"author": "ferry", "ünï": "çødé", "empty": ""}
	mustPut(t, b, "k", []byte("v"), r2.PutOptions{HTTPMetadata: hm, CustomMetadata: cm, StorageClass: r2.StorageInfrequent})
	check := func(what string, o *r2.Object) {
		t.Helper()
		if !sameHTTP(o.HTTPMetadata, hm) {
			t.Errorf("%s: httpMetadata = %+v", what, o.HTTPMetadata)
		}
		if !reflect.DeepEqual(o.CustomMetadata, cm) {
			t.Errorf("%s: customMetadata = %v", what, o.CustomMetadata)
		}
		if o.StorageClass != r2.StorageInfrequent {
			t.Errorf("%s: storageClass = %q", what, o.StorageClass)
		}
	}
	h, _ := b.Head(ctx, "k")
	check("head", h)
	res, _ := read(t, b, "k", r2.GetOptions{})
	check("get", &res.Object)
	list, err := b.List(ctx, r2.ListOptions{IncludeHTTPMetadata: true, IncludeCustomMetadata: true})
	if err != nil || len(list.Objects) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	check("list", &list.Objects[0])

	// Without metadata, head gives empty (not absent) metadata.
	mustPut(t, b, "bare", []byte("v"), r2.PutOptions{})
	h, _ = b.Head(ctx, "bare")
	if !sameHTTP(h.HTTPMetadata, r2.HTTPMetadata{}) || h.CustomMetadata == nil || len(h.CustomMetadata) != 0 {
		t.Errorf("bare object metadata = %+v %v", h.HTTPMetadata, h.CustomMetadata)
	}
}

// sameHTTP compares HTTP metadata, times by instant.
func sameHTTP(got *r2.HTTPMetadata, want r2.HTTPMetadata) bool {
	if got == nil {
		return false
	}
	g := *got
	if !g.CacheExpiry.Equal(want.CacheExpiry) {
		return false
	}
	g.CacheExpiry = want.CacheExpiry
	return g == want
}

func testMissing(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	if o, err := b.Head(ctx, "nope"); o != nil || err != nil {
		t.Errorf("Head(missing) = %v, %v", o, err)
	}
	if res, err := b.Get(ctx, "nope", r2.GetOptions{}); res != nil || err != nil {
		t.Errorf("Get(missing) = %v, %v", res, err)
	}
	// A range or condition on a missing object is still just "no object".
	if res, err := b.Get(ctx, "nope", r2.GetOptions{Range: &r2.Range{Offset: ptr(10)},
		OnlyIf: &r2.Conditional{EtagMatches: []r2.Etag{{Value: "x"}}}}); res != nil || err != nil {
		t.Errorf("Get(missing, range, onlyIf) = %v, %v", res, err)
	}
	if err := b.Delete(ctx, []string{"nope"}); err != nil {
		t.Errorf("Delete(missing) = %v", err)
	}
}

func testEmptyKey(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	mustPut(t, b, "", []byte("empty key"), r2.PutOptions{})
	if _, data := read(t, b, "", r2.GetOptions{}); string(data) != "empty key" {
		t.Fatalf("Get(\"\") = %q", data)
	}
	list, err := b.List(ctx, r2.ListOptions{})
	if err != nil || len(list.Objects) != 1 || list.Objects[0].Key != "" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if err := b.Delete(ctx, []string{""}); err != nil {
		t.Fatal(err)
	}
	if o, _ := b.Head(ctx, ""); o != nil {
		t.Fatal("empty key survived delete")
	}
}

func testOverwrite(t *testing.T, open opener) {
	b, clock := newBucket(t, open)
	first := mustPut(t, b, "k", []byte("one"), r2.PutOptions{CustomMetadata: map[string]string{"v": "1"}})
	clock.Advance(time.Second)
	second := mustPut(t, b, "k", []byte("two!"), r2.PutOptions{})
	if second.Version == first.Version || second.ETag == first.ETag || !second.Uploaded.After(first.Uploaded) {
		t.Errorf("overwrite kept identity: %+v then %+v", first, second)
	}
	res, data := read(t, b, "k", r2.GetOptions{})
	if string(data) != "two!" || res.Size != 4 || len(res.CustomMetadata) != 0 {
		t.Errorf("after overwrite: %q %+v", data, res.Object)
	}
	// Same bytes again: same etag, new version.
	third := mustPut(t, b, "k", []byte("two!"), r2.PutOptions{})
	if third.ETag != second.ETag || third.Version == second.Version {
		t.Errorf("same value: etag %s→%s version %s→%s", second.ETag, third.ETag, second.Version, third.Version)
	}
}

func testBodySurvivesOverwrite(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	old := bytes.Repeat([]byte("old "), 100_000)
	mustPut(t, b, "k", old, r2.PutOptions{})
	res, err := b.Get(ctx, "k", r2.GetOptions{})
	if err != nil || res == nil || res.Body == nil {
		t.Fatalf("Get: %v %v", res, err)
	}
	half := make([]byte, len(old)/2)
	if _, err := io.ReadFull(res.Body, half); err != nil {
		t.Fatal(err)
	}
	mustPut(t, b, "k", []byte("new"), r2.PutOptions{})
	rest, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || !bytes.Equal(append(half, rest...), old) {
		t.Fatalf("body after overwrite: %d bytes, %v", len(half)+len(rest), err)
	}
	// A body not yet read at all when its object goes is still whole.
	res, err = b.Get(ctx, "k", r2.GetOptions{})
	if err != nil || res == nil {
		t.Fatal(res, err)
	}
	if err := b.Delete(ctx, []string{"k"}); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || string(data) != "new" {
		t.Fatalf("body after delete = %q, %v", data, err)
	}
}

func testRanges(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	mustPut(t, b, "k", []byte("value"), r2.PutOptions{})
	ok := []struct {
		name string
		r    r2.Range
		want string
		rng  r2.ByteRange
	}{
		{"offset", r2.Range{Offset: ptr(3)}, "ue", r2.ByteRange{Offset: 3, Length: 2}},
		{"length", r2.Range{Length: ptr(3)}, "val", r2.ByteRange{Offset: 0, Length: 3}},
		{"length past the end", r2.Range{Length: ptr(42)}, "value", r2.ByteRange{Offset: 0, Length: 5}},
		{"offset and length", r2.Range{Offset: ptr(1), Length: ptr(3)}, "alu", r2.ByteRange{Offset: 1, Length: 3}},
		{"offset and long length", r2.Range{Offset: ptr(4), Length: ptr(10)}, "e", r2.ByteRange{Offset: 4, Length: 1}},
		{"suffix", r2.Range{Suffix: ptr(3)}, "lue", r2.ByteRange{Offset: 2, Length: 3}},
		{"suffix longer than the object", r2.Range{Suffix: ptr(42)}, "value", r2.ByteRange{Offset: 0, Length: 5}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			res, data := read(t, b, "k", r2.GetOptions{Range: &r})
			if string(data) != tc.want || res.Range == nil || *res.Range != tc.rng || res.Size != 5 {
				t.Errorf("got %q range %+v size %d, want %q %+v", data, res.Range, res.Size, tc.want, tc.rng)
			}
		})
	}
	bad := []struct {
		name string
		r    r2.Range
	}{
		{"offset past the end", r2.Range{Offset: ptr(42)}},
		{"offset at the end", r2.Range{Offset: ptr(5)}},
		{"zero length", r2.Range{Length: ptr(0)}},
		{"zero suffix", r2.Range{Suffix: ptr(0)}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			_, err := b.Get(ctx, "k", r2.GetOptions{Range: &r})
			wantError(t, err, "get: The requested range is not satisfiable (10039)")
		})
	}
	t.Run("across a large object", func(t *testing.T) {
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = byte(i / 7)
		}
		mustPut(t, b, "big", big, r2.PutOptions{})
		_, data := read(t, b, "big", r2.GetOptions{Range: &r2.Range{Offset: ptr(100_000), Length: ptr(500_000)}})
		if !bytes.Equal(data, big[100_000:600_000]) {
			t.Error("wrong bytes for a range of a large object")
		}
	})
}

func testRangeHeader(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	value := "abcdefghijklmnopqrstuvwxyz"
	mustPut(t, b, "k", []byte(value), r2.PutOptions{})
	for _, tc := range []struct {
		header, want string
		rng          r2.ByteRange
	}{
		{"", value, r2.ByteRange{Offset: 0, Length: 26}},
		{"bytes=3-6", "defg", r2.ByteRange{Offset: 3, Length: 4}},
		{"bytes=10-", "klmnopqrstuvwxyz", r2.ByteRange{Offset: 10, Length: 16}},
		{"bytes=-5", "vwxyz", r2.ByteRange{Offset: 21, Length: 5}},
		{"bytes=20-100", "uvwxyz", r2.ByteRange{Offset: 20, Length: 6}},
		{"bytes=5-6,10-11", value, r2.ByteRange{Offset: 0, Length: 26}}, // several ranges: all of it
		{"bytes=30-40", value, r2.ByteRange{Offset: 0, Length: 26}},     // unsatisfiable: all of it
		{"items=1-2", value, r2.ByteRange{Offset: 0, Length: 26}},
		{"bytes=x-y", value, r2.ByteRange{Offset: 0, Length: 26}},
	} {
		t.Run(tc.header, func(t *testing.T) {
			res, data := read(t, b, "k", r2.GetOptions{RangeHeader: tc.header})
			if string(data) != tc.want || *res.Range != tc.rng {
				t.Errorf("Range %q: %q %+v, want %q %+v", tc.header, data, *res.Range, tc.want, tc.rng)
			}
		})
	}
}

func testConditionalGet(t *testing.T, open opener) {
	b, clock := newBucket(t, open)
	past := clock.Now().Add(-time.Minute)
	o := mustPut(t, b, "k", []byte("value"), r2.PutOptions{})
	future := clock.Now().Add(time.Minute)
	etag, bad := o.ETag, md5hex([]byte("other"))
	for _, tc := range []struct {
		name string
		c    r2.Conditional
		pass bool
	}{
		{"etagMatches", r2.Conditional{EtagMatches: []r2.Etag{{Value: etag}}}, true},
		{"etagMatches other", r2.Conditional{EtagMatches: []r2.Etag{{Value: bad}}}, false},
		{"etagMatches one of several", r2.Conditional{EtagMatches: []r2.Etag{{Value: bad}, {Value: etag}}}, true},
		{"etagMatches wildcard", r2.Conditional{EtagMatches: []r2.Etag{{Wildcard: true}}}, true},
		{"etagMatches weak (strong comparison)", r2.Conditional{EtagMatches: []r2.Etag{{Value: etag, Weak: true}}}, false},
		{"etagDoesNotMatch", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: etag}}}, false},
		{"etagDoesNotMatch weak (weak comparison)", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: etag, Weak: true}}}, false},
		{"etagDoesNotMatch other", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: bad}}}, true},
		{"etagDoesNotMatch wildcard", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Wildcard: true}}}, false},
		{"uploadedBefore future", r2.Conditional{UploadedBefore: future}, true},
		{"uploadedBefore past", r2.Conditional{UploadedBefore: past}, false},
		{"uploadedBefore the upload time", r2.Conditional{UploadedBefore: o.Uploaded}, false},
		{"uploadedAfter future", r2.Conditional{UploadedAfter: future}, false},
		{"uploadedAfter past", r2.Conditional{UploadedAfter: past}, true},
		{"uploadedAfter the upload time", r2.Conditional{UploadedAfter: o.Uploaded}, false},
		// A passing etag condition overrides its date condition (RFC 9110).
		{"etagMatches wins over uploadedBefore", r2.Conditional{EtagMatches: []r2.Etag{{Value: etag}}, UploadedBefore: past}, true},
		{"etagDoesNotMatch wins over uploadedAfter", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: bad}}, UploadedAfter: future}, true},
		// Whole seconds: the upload (…123 ms) is not after …000 ms of the same second.
		{"uploadedAfter in the same second, ms", r2.Conditional{UploadedAfter: o.Uploaded.Truncate(time.Second)}, true},
		{"uploadedAfter in the same second, seconds", r2.Conditional{UploadedAfter: o.Uploaded.Truncate(time.Second), SecondsGranularity: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			res, data := read(t, b, "k", r2.GetOptions{OnlyIf: &c})
			if tc.pass && (res.Body == nil && data == nil || string(data) != "value") {
				t.Errorf("condition should hold: body %q", data)
			}
			if !tc.pass {
				if data != nil {
					t.Errorf("condition should fail, got a body %q", data)
				}
				if res.ETag != etag || res.Size != 5 || res.Key != "k" {
					t.Errorf("failed condition should still return the object, got %+v", res.Object)
				}
			}
		})
	}
	t.Run("range with a failed condition", func(t *testing.T) {
		res, data := read(t, b, "k", r2.GetOptions{OnlyIf: &r2.Conditional{EtagMatches: []r2.Etag{{Value: bad}}}, Range: &r2.Range{Offset: ptr(99)}})
		if data != nil || res.Body != nil {
			t.Error("failed condition returned a body")
		}
	})
}

func testConditionalPut(t *testing.T, open opener) {
	b, clock := newBucket(t, open)
	past := clock.Now().Add(-time.Minute)
	future := clock.Now().Add(5 * time.Minute)
	etag, bad := md5hex([]byte("1")), md5hex([]byte("👻"))
	reset := func() { mustPut(t, b, "k", []byte("1"), r2.PutOptions{}) }
	for _, tc := range []struct {
		name string
		c    r2.Conditional
		pass bool
	}{
		{"etagMatches", r2.Conditional{EtagMatches: []r2.Etag{{Value: etag}}}, true},
		{"etagMatches other", r2.Conditional{EtagMatches: []r2.Etag{{Value: bad}}}, false},
		{"etagDoesNotMatch", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: etag}}}, false},
		{"etagDoesNotMatch other", r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Value: bad}}}, true},
		{"uploadedBefore future", r2.Conditional{UploadedBefore: future}, true},
		{"uploadedBefore past", r2.Conditional{UploadedBefore: past}, false},
		{"uploadedAfter future", r2.Conditional{UploadedAfter: future}, false},
		{"uploadedAfter past", r2.Conditional{UploadedAfter: past}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reset()
			c := tc.c
			o, err := b.Put(ctx, "k", strings.NewReader("2"), r2.PutOptions{OnlyIf: &c})
			if err != nil {
				t.Fatal(err)
			}
			_, data := read(t, b, "k", r2.GetOptions{})
			if tc.pass && (o == nil || string(data) != "2") {
				t.Errorf("put should have stored: %v %q", o, data)
			}
			if !tc.pass && (o != nil || string(data) != "1") {
				t.Errorf("put should have been refused: %v %q", o, data)
			}
		})
	}
	t.Run("no object", func(t *testing.T) {
		// If-Match fails without an object; If-None-Match: * is create-only.
		o, err := b.Put(ctx, "new", strings.NewReader("x"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagMatches: []r2.Etag{{Value: etag}}}})
		if o != nil || err != nil {
			t.Fatalf("etagMatches on a missing key = %v, %v", o, err)
		}
		if h, _ := b.Head(ctx, "new"); h != nil {
			t.Fatal("refused put stored the object")
		}
		createOnly := &r2.Conditional{EtagDoesNotMatch: []r2.Etag{{Wildcard: true}}}
		if o, err := b.Put(ctx, "new", strings.NewReader("x"), r2.PutOptions{OnlyIf: createOnly}); o == nil || err != nil {
			t.Fatalf("create-only put of a new key = %v, %v", o, err)
		}
		if o, err := b.Put(ctx, "new", strings.NewReader("y"), r2.PutOptions{OnlyIf: createOnly}); o != nil || err != nil {
			t.Fatalf("create-only put of an existing key = %v, %v", o, err)
		}
	})
}

func testConditionalHeaders(t *testing.T, open opener) {
	for _, tc := range []struct {
		header string
		want   []r2.Etag
		err    string
	}{
		{`"abc"`, []r2.Etag{{Value: "abc"}}, ""},
		{`"a", W/"b" ,"c,d"`, []r2.Etag{{Value: "a"}, {Value: "b", Weak: true}, {Value: "c,d"}}, ""},
		{`"a", , "b"`, []r2.Etag{{Value: "a"}, {Value: "b"}}, ""},
		{`*`, []r2.Etag{{Wildcard: true}}, ""},
		{`"a" "b"`, nil, `Comma was expected to separate etags. Encountered a double quote character '"' instead. This would otherwise indicate the start of a new strong etag.`},
		{`"a`, nil, "Unclosed double quote for Etag"},
		{`Wx"a"`, nil, "Weak etags must start with W/ and their value must be quoted"},
		{`abc`, nil, "Invalid conditional header"},
	} {
		got, err := r2.ParseEtagHeader(tc.header)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseEtagHeader(%s) error = %v, want %q", tc.header, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseEtagHeader(%s) = %+v, %v", tc.header, got, err)
		}
	}
	if _, err := r2.ConditionalEtag(`"quoted"`); err == nil || err.Error() != `Conditional ETag should not be wrapped in quotes ("quoted").` {
		t.Errorf("quoted conditional etag: %v", err)
	}
	// A bucket applies header-derived conditions like any other.
	b, _ := newBucket(t, open)
	o := mustPut(t, b, "k", []byte("v"), r2.PutOptions{})
	list, _ := r2.ParseEtagHeader(`W/"nope", "` + o.ETag + `"`)
	if res, _ := read(t, b, "k", r2.GetOptions{OnlyIf: &r2.Conditional{EtagDoesNotMatch: list}}); res.Body != nil {
		t.Error("If-None-Match listing the etag should fail")
	}
}

func testChecksums(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	value := []byte("value")
	m5 := md5.Sum(value)
	s1 := sha1.Sum(value)
	s256 := sha256.Sum256(value)
	s384 := sha512.Sum384(value)
	s512 := sha512.Sum512(value)
	for _, tc := range []struct {
		name  string
		given func(v []byte) r2.Checksums
		sum   []byte
		field func(c r2.Checksums) []byte
	}{
		{"MD5", func(v []byte) r2.Checksums { return r2.Checksums{MD5: v} }, m5[:], func(c r2.Checksums) []byte { return c.MD5 }},
		{"SHA-1", func(v []byte) r2.Checksums { return r2.Checksums{SHA1: v} }, s1[:], func(c r2.Checksums) []byte { return c.SHA1 }},
		{"SHA-256", func(v []byte) r2.Checksums { return r2.Checksums{SHA256: v} }, s256[:], func(c r2.Checksums) []byte { return c.SHA256 }},
		{"SHA-384", func(v []byte) r2.Checksums { return r2.Checksums{SHA384: v} }, s384[:], func(c r2.Checksums) []byte { return c.SHA384 }},
		{"SHA-512", func(v []byte) r2.Checksums { return r2.Checksums{SHA512: v} }, s512[:], func(c r2.Checksums) []byte { return c.SHA512 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "k-" + tc.name
			o := mustPut(t, b, key, value, r2.PutOptions{Checksums: tc.given(tc.sum)})
			h, _ := b.Head(ctx, key)
			for what, c := range map[string]r2.Checksums{"put": o.Checksums, "head": h.Checksums} {
				if !bytes.Equal(tc.field(c), tc.sum) || !bytes.Equal(c.MD5, m5[:]) {
					t.Errorf("%s checksums = %+v", what, c)
				}
			}
			wrong := append([]byte(nil), tc.sum...)
			wrong[0] ^= 0xFF
			_, err := b.Put(ctx, key, bytes.NewReader(value), r2.PutOptions{Checksums: tc.given(wrong)})
			wantError(t, err, fmt.Sprintf("put: The %s checksum you specified did not match what we received.\n"+
				"You provided a %s checksum with value: %s\nActual %s was: %s (10037)",
				tc.name, tc.name, hex.EncodeToString(wrong), tc.name, hex.EncodeToString(tc.sum)))
			if h2, _ := b.Head(ctx, key); h2 == nil || h2.Version != o.Version {
				t.Error("a put with a wrong checksum changed the object")
			}
		})
	}
}

func testLimits(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	long := strings.Repeat("x", r2.MaxKeySize+1)
	maxKey := strings.Repeat("k", r2.MaxKeySize)
	mustPut(t, b, maxKey, []byte("v"), r2.PutOptions{})
	if _, data := read(t, b, maxKey, r2.GetOptions{}); string(data) != "v" {
		t.Error("1024-byte key did not round-trip")
	}
	invalid := func(op string) string { return op + ": The specified object name is not valid. (10020)" }
	_, err := b.Head(ctx, long)
	wantError(t, err, invalid("head"))
	_, err = b.Get(ctx, long, r2.GetOptions{})
	wantError(t, err, invalid("get"))
	_, err = b.Put(ctx, long, strings.NewReader("v"), r2.PutOptions{})
	wantError(t, err, invalid("put"))
	wantError(t, b.Delete(ctx, []string{"fine", long}), invalid("delete"))
	_, err = b.CreateMultipartUpload(ctx, long, r2.MultipartOptions{})
	wantError(t, err, invalid("createMultipartUpload"))
	_, err = b.UploadPart(ctx, long, "bad", 1, strings.NewReader("v"))
	wantError(t, err, invalid("uploadPart"))
	_, err = b.CompleteMultipartUpload(ctx, long, "bad", nil)
	wantError(t, err, invalid("completeMultipartUpload"))
	wantError(t, b.AbortMultipartUpload(ctx, long, "bad"), invalid("abortMultipartUpload"))
	// A multi-byte key counts its UTF-8 bytes.
	_, err = b.Put(ctx, strings.Repeat("é", 513), strings.NewReader("v"), r2.PutOptions{})
	wantError(t, err, invalid("put"))

	tooBig := "put: Your metadata headers exceed the maximum allowed metadata size. (10012)"
	for _, tc := range []struct {
		meta map[string]string
		ok   bool
	}{
		{map[string]string{"key": strings.Repeat("x", 2045)}, true},  // 3 + 2045
		{map[string]string{"key": strings.Repeat("x", 2046)}, false}, // 3 + 2046
		{map[string]string{"hi": strings.Repeat("x", 2046)}, true},
		{map[string]string{"a": "b", "cd": strings.Repeat("é", 2044)}, true}, // é is Latin-1: 1 each
		{map[string]string{"key": strings.Repeat("🙂", 511)}, true},           // 3 + 4×511 = 2047
		{map[string]string{"key1": strings.Repeat("🙂", 511)}, true},          // 2048
		{map[string]string{"key12": strings.Repeat("🙂", 511)}, false},        // 2049
		{map[string]string{"key": strings.Repeat("ŀ", 1023)}, false},         // beyond Latin-1: 2×1023 + 3
		{map[string]string{"k": strings.Repeat("ŀ", 1023)}, true},            // 1 + 2046
	} {
		_, err := b.Put(ctx, "meta", strings.NewReader("v"), r2.PutOptions{CustomMetadata: tc.meta})
		if tc.ok && err != nil {
			t.Errorf("metadata of size %d refused: %v", r2.CustomMetadataSize(tc.meta), err)
		}
		if !tc.ok {
			wantError(t, err, tooBig)
		}
	}
	_, err = b.Put(ctx, "k", strings.NewReader("v"), r2.PutOptions{StorageClass: "Glacier"})
	wantError(t, err, "put: The storage class you specified is not valid. (10040)")
}

func testDelete(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	for _, k := range []string{"key1", "key2", "key3"} {
		mustPut(t, b, k, []byte(k), r2.PutOptions{})
	}
	if err := b.Delete(ctx, []string{"key1", "key200", "key3"}); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"key1": false, "key2": true, "key3": false} {
		if o, _ := b.Head(ctx, k); (o != nil) != want {
			t.Errorf("%s present = %v, want %v", k, o != nil, want)
		}
	}
	if err := b.Delete(ctx, nil); err != nil {
		t.Errorf("Delete(no keys) = %v", err)
	}
	many := make([]string, r2.MaxDeleteKeys+1)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	var e *r2.Error
	if err := b.Delete(ctx, many); !errors.As(err, &e) || e.Op != "delete" {
		t.Errorf("Delete(1001 keys) = %v", err)
	}
	if err := b.Delete(ctx, many[:r2.MaxDeleteKeys]); err != nil {
		t.Errorf("Delete(1000 keys) = %v", err)
	}
}

func keysOf(res r2.ListResult) []string {
	out := []string{}
	for _, o := range res.Objects {
		out = append(out, o.Key)
	}
	return out
}

func mustList(t *testing.T, b r2.Bucket, opts r2.ListOptions) r2.ListResult {
	t.Helper()
	res, err := b.List(ctx, opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	if res.Objects == nil || res.DelimitedPrefixes == nil {
		t.Fatalf("List(%+v) returned nil slices", opts)
	}
	if res.Truncated != (res.Cursor != "") {
		t.Fatalf("List(%+v): truncated %v with cursor %q", opts, res.Truncated, res.Cursor)
	}
	return res
}

func seed(t *testing.T, b r2.Bucket, keys ...string) {
	t.Helper()
	for _, k := range keys {
		mustPut(t, b, k, []byte("v:"+k), r2.PutOptions{})
	}
}

func testListOrder(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	if res := mustList(t, b, r2.ListOptions{}); len(res.Objects) != 0 || res.Truncated {
		t.Fatalf("empty bucket lists %+v", res)
	}
	keys := []string{"key3", "key1", "key2", ", ", "!", "é", "z", "\U0001F600", "Z", "a/b", "a"}
	seed(t, b, keys...)
	want := append([]string(nil), keys...)
	sort.Strings(want) // Go compares UTF-8 bytes, as R2 orders keys
	if got := keysOf(mustList(t, b, r2.ListOptions{})); !reflect.DeepEqual(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
	if got := keysOf(mustList(t, b, r2.ListOptions{Prefix: "key"})); !reflect.DeepEqual(got, []string{"key1", "key2", "key3"}) {
		t.Errorf("prefix key = %q", got)
	}
	if got := keysOf(mustList(t, b, r2.ListOptions{Prefix: "none"})); len(got) != 0 {
		t.Errorf("prefix none = %q", got)
	}
	// Objects in a list carry their metadata.
	res := mustList(t, b, r2.ListOptions{Prefix: "key1"})
	o := res.Objects[0]
	if o.Size != int64(len("v:key1")) || o.ETag != md5hex([]byte("v:key1")) || !hex32.MatchString(o.Version) ||
		o.Uploaded.IsZero() || o.Range != nil || hex.EncodeToString(o.Checksums.MD5) != o.ETag || o.StorageClass != r2.StorageStandard {
		t.Errorf("listed object = %+v", o)
	}
	// The prefix is literal.
	seed(t, b, "a%b", "a_b")
	if got := keysOf(mustList(t, b, r2.ListOptions{Prefix: "a_"})); !reflect.DeepEqual(got, []string{"a_b"}) {
		t.Errorf("prefix a_ = %q", got)
	}
}

func testListPagination(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	seed(t, b, "key1", "key3", "key5", "other")
	page := mustList(t, b, r2.ListOptions{Prefix: "key", Limit: 2})
	if got := keysOf(page); !reflect.DeepEqual(got, []string{"key1", "key3"}) || !page.Truncated {
		t.Fatalf("page 1 = %q truncated %v", got, page.Truncated)
	}
	// Keys inserted while paginating: after the cursor they show, before it not.
	seed(t, b, "key2", "key4")
	// The last page ends exactly at the last key: it is not truncated.
	page = mustList(t, b, r2.ListOptions{Prefix: "key", Limit: 2, Cursor: page.Cursor})
	if got := keysOf(page); !reflect.DeepEqual(got, []string{"key4", "key5"}) || page.Truncated {
		t.Fatalf("page 2 = %q truncated %v", got, page.Truncated)
	}
	page = mustList(t, b, r2.ListOptions{Prefix: "key", Limit: 4})
	if got := keysOf(page); !reflect.DeepEqual(got, []string{"key1", "key2", "key3", "key4"}) || !page.Truncated {
		t.Errorf("page of 4 = %q truncated %v", got, page.Truncated)
	}
	// Limits may change between pages.
	page = mustList(t, b, r2.ListOptions{Limit: 1})
	page = mustList(t, b, r2.ListOptions{Limit: 3, Cursor: page.Cursor})
	if got := keysOf(page); !reflect.DeepEqual(got, []string{"key2", "key3", "key4"}) {
		t.Errorf("variable limit = %q", got)
	}
	// All pages together are the bucket, each key once.
	var all []string
	opts := r2.ListOptions{Limit: 2}
	for i := 0; ; i++ {
		page := mustList(t, b, opts)
		all = append(all, keysOf(page)...)
		if !page.Truncated {
			break
		}
		if i > 10 {
			t.Fatal("pagination does not end")
		}
		opts.Cursor = page.Cursor
	}
	if !reflect.DeepEqual(all, []string{"key1", "key2", "key3", "key4", "key5", "other"}) {
		t.Errorf("all pages = %q", all)
	}
	// A cursor R2 did not make lists nothing.
	if res := mustList(t, b, r2.ListOptions{Cursor: "!!not base64!!"}); len(res.Objects) != 0 || res.Truncated {
		t.Errorf("bad cursor lists %q", keysOf(res))
	}
}

func testListStartAfter(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	seed(t, b, "key1", "key2", "key3", "key4")
	for _, tc := range []struct {
		opts  r2.ListOptions
		pages [][]string
	}{
		{r2.ListOptions{StartAfter: "key2"}, [][]string{{"key3", "key4"}}},
		{r2.ListOptions{StartAfter: "key1", Limit: 2}, [][]string{{"key2", "key3"}, {"key4"}}},
		{r2.ListOptions{StartAfter: "key", Limit: 2}, [][]string{{"key1", "key2"}, {"key3", "key4"}}},
		{r2.ListOptions{StartAfter: "key9"}, [][]string{{}}},
		{r2.ListOptions{StartAfter: "a", Prefix: "key3"}, [][]string{{"key3"}}},
	} {
		opts := tc.opts
		for i, want := range tc.pages {
			page := mustList(t, b, opts)
			if got := keysOf(page); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v page %d = %q, want %q", tc.opts, i, got, want)
			}
			if page.Truncated != (i < len(tc.pages)-1) {
				t.Errorf("%+v page %d truncated = %v", tc.opts, i, page.Truncated)
			}
			opts.Cursor = page.Cursor
		}
	}
}

func testListDelimiter(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	all := []string{"dir0/file0", "dir0/file1", "dir0/sub0/file2", "dir0/sub0/file3", "dir0/sub1/file4",
		"dir0/sub1/file5", "dir1/file6", "dir1/file7", "file8", "file9"}
	seed(t, b, all...)
	for _, tc := range []struct {
		opts     r2.ListOptions
		keys     []string
		prefixes []string
	}{
		{r2.ListOptions{}, all, []string{}},
		{r2.ListOptions{Delimiter: ""}, all, []string{}},
		{r2.ListOptions{Delimiter: "/"}, []string{"file8", "file9"}, []string{"dir0/", "dir1/"}},
		{r2.ListOptions{Prefix: "dir0/", Delimiter: "/"}, []string{"dir0/file0", "dir0/file1"}, []string{"dir0/sub0/", "dir0/sub1/"}},
		{r2.ListOptions{Prefix: "dir0", Delimiter: "/"}, []string{}, []string{"dir0/"}},
		{r2.ListOptions{Delimiter: "file8"}, []string{"dir0/file0", "dir0/file1", "dir0/sub0/file2", "dir0/sub0/file3",
			"dir0/sub1/file4", "dir0/sub1/file5", "dir1/file6", "dir1/file7", "file9"}, []string{"file8"}},
		{r2.ListOptions{Prefix: "dir1/", Delimiter: "file6"}, []string{"dir1/file7"}, []string{"dir1/file6"}},
		{r2.ListOptions{Delimiter: "/sub"}, []string{"dir0/file0", "dir0/file1", "dir1/file6", "dir1/file7", "file8", "file9"}, []string{"dir0/sub"}},
	} {
		res := mustList(t, b, tc.opts)
		if got := keysOf(res); !reflect.DeepEqual(got, tc.keys) || !reflect.DeepEqual(res.DelimitedPrefixes, tc.prefixes) || res.Truncated {
			t.Errorf("%+v = keys %q prefixes %q truncated %v\nwant %q %q", tc.opts, got, res.DelimitedPrefixes, res.Truncated, tc.keys, tc.prefixes)
		}
	}
	// The limit counts objects and prefixes; a page may end on a prefix and
	// the next one starts past all its keys.
	opts := r2.ListOptions{Delimiter: "/", Limit: 1}
	var got []string
	for i := 0; ; i++ {
		page := mustList(t, b, opts)
		if n := len(page.Objects) + len(page.DelimitedPrefixes); n > 1 {
			t.Fatalf("page %d has %d entries", i, n)
		}
		got = append(got, keysOf(page)...)
		got = append(got, page.DelimitedPrefixes...)
		if !page.Truncated {
			break
		}
		if i > 10 {
			t.Fatal("pagination does not end")
		}
		opts.Cursor = page.Cursor
	}
	if want := []string{"dir0/", "dir1/", "file8", "file9"}; !reflect.DeepEqual(got, want) {
		t.Errorf("delimited pages = %q, want %q", got, want)
	}
	page := mustList(t, b, r2.ListOptions{Prefix: "dir0/", Delimiter: "/", Limit: 2})
	if keys := keysOf(page); !reflect.DeepEqual(keys, []string{"dir0/file0", "dir0/file1"}) || len(page.DelimitedPrefixes) != 0 || !page.Truncated {
		t.Fatalf("dir0/ limit 2 = %q %q %v", keys, page.DelimitedPrefixes, page.Truncated)
	}
	page = mustList(t, b, r2.ListOptions{Prefix: "dir0/", Delimiter: "/", Limit: 2, Cursor: page.Cursor})
	if keys := keysOf(page); len(keys) != 0 || !reflect.DeepEqual(page.DelimitedPrefixes, []string{"dir0/sub0/", "dir0/sub1/"}) || page.Truncated {
		t.Fatalf("dir0/ page 2 = %q %q %v", keys, page.DelimitedPrefixes, page.Truncated)
	}
}

func testListInclude(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	mustPut(t, b, "key1", []byte("v"), r2.PutOptions{HTTPMetadata: r2.HTTPMetadata{ContentEncoding: "gzip"}, CustomMetadata: map[string]string{"foo": "bar"}})
	mustPut(t, b, "key2", []byte("v"), r2.PutOptions{})
	for _, tc := range []struct {
		http, custom bool
	}{{false, false}, {true, false}, {false, true}, {true, true}} {
		res := mustList(t, b, r2.ListOptions{IncludeHTTPMetadata: tc.http, IncludeCustomMetadata: tc.custom})
		o1, o2 := res.Objects[0], res.Objects[1]
		if tc.http {
			if !sameHTTP(o1.HTTPMetadata, r2.HTTPMetadata{ContentEncoding: "gzip"}) || !sameHTTP(o2.HTTPMetadata, r2.HTTPMetadata{}) {
				t.Errorf("include http: %+v %+v", o1.HTTPMetadata, o2.HTTPMetadata)
			}
		} else if o1.HTTPMetadata != nil || o2.HTTPMetadata != nil {
			t.Errorf("httpMetadata listed without include")
		}
		if tc.custom {
			if !reflect.DeepEqual(o1.CustomMetadata, map[string]string{"foo": "bar"}) || o2.CustomMetadata == nil || len(o2.CustomMetadata) != 0 {
				t.Errorf("include custom: %v %v", o1.CustomMetadata, o2.CustomMetadata)
			}
		} else if o1.CustomMetadata != nil || o2.CustomMetadata != nil {
			t.Errorf("customMetadata listed without include")
		}
	}
}

func testListLimits(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	for _, limit := range []int{-1, r2.MaxListLimit + 1} {
		_, err := b.List(ctx, r2.ListOptions{Limit: limit})
		wantError(t, err, "list: MaxKeys params must be positive integer <= 1000. (10022)")
	}
	// The default page is 1000 objects.
	var wg sync.WaitGroup
	errs := make(chan error, 1001)
	for i := 0; i < 1001; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := b.Put(ctx, fmt.Sprintf("k%04d", i), strings.NewReader("v"), r2.PutOptions{})
			errs <- err
		}(i)
		if i%16 == 15 {
			wg.Wait()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	res := mustList(t, b, r2.ListOptions{})
	if len(res.Objects) != 1000 || !res.Truncated {
		t.Fatalf("default page = %d objects, truncated %v", len(res.Objects), res.Truncated)
	}
	res = mustList(t, b, r2.ListOptions{Cursor: res.Cursor})
	if keysOf(res)[0] != "k1000" || res.Truncated {
		t.Errorf("second page = %q", keysOf(res))
	}
}

// part returns n bytes of filler c.
func part(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

func upload(t *testing.T, b r2.Bucket, key, id string, n int, value []byte) r2.UploadedPart {
	t.Helper()
	p, err := b.UploadPart(ctx, key, id, n, bytes.NewReader(value))
	if err != nil {
		t.Fatalf("UploadPart(%d): %v", n, err)
	}
	if p.PartNumber != n || p.ETag == "" {
		t.Fatalf("UploadPart(%d) = %+v", n, p)
	}
	return p
}

// multipartETag computes R2's etag for parts independently of the package.
func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	return md5hex(sums) + fmt.Sprintf("-%d", len(parts))
}

func testMultipart(t *testing.T, open opener) {
	b, clock := newBucket(t, open)
	hm := r2.HTTPMetadata{ContentType: "video/mp4", CacheControl: "no-cache"}
	id, err := b.CreateMultipartUpload(ctx, "movie.mp4", r2.MultipartOptions{HTTPMetadata: hm, CustomMetadata: map[string]string{"by": "test"}})
	if err != nil || id == "" {
		t.Fatalf("CreateMultipartUpload = %q, %v", id, err)
	}
	id2, _ := b.CreateMultipartUpload(ctx, "movie.mp4", r2.MultipartOptions{})
	if id2 == id {
		t.Fatal("two uploads share an id")
	}
	// Parts may arrive, and be listed, in any order (as long as the last one
	// given is the only small one); the object is in part-number order.
	p1, p2, p3 := part('1', r2.MinPartSize), part('2', r2.MinPartSize), []byte("the end")
	u3 := upload(t, b, "movie.mp4", id, 3, p3)
	u1 := upload(t, b, "movie.mp4", id, 1, p1)
	u2 := upload(t, b, "movie.mp4", id, 2, p2)
	if h, _ := b.Head(ctx, "movie.mp4"); h != nil {
		t.Fatal("an upload in progress is visible")
	}
	if res := mustList(t, b, r2.ListOptions{}); len(res.Objects) != 0 {
		t.Fatal("an upload in progress is listed")
	}
	clock.Advance(time.Second)
	o, err := b.CompleteMultipartUpload(ctx, "movie.mp4", id, []r2.UploadedPart{u2, u1, u3})
	if err != nil {
		t.Fatal(err)
	}
	whole := append(append(append([]byte(nil), p1...), p2...), p3...)
	if o.Key != "movie.mp4" || o.Size != int64(len(whole)) || o.ETag != multipartETag(p1, p2, p3) ||
		o.HTTPETag() != `"`+o.ETag+`"` || !hex32.MatchString(o.Version) || o.Range != nil ||
		!o.Uploaded.Equal(time.UnixMilli(clock.Now().UnixMilli())) {
		t.Fatalf("completed object = %+v", o)
	}
	if o.Checksums.MD5 != nil || !sameHTTP(o.HTTPMetadata, hm) || !reflect.DeepEqual(o.CustomMetadata, map[string]string{"by": "test"}) {
		t.Errorf("completed object metadata = %+v %+v %v", o.Checksums, o.HTTPMetadata, o.CustomMetadata)
	}
	h, _ := b.Head(ctx, "movie.mp4")
	if h == nil || h.ETag != o.ETag || h.Size != o.Size || !sameHTTP(h.HTTPMetadata, hm) {
		t.Errorf("Head = %+v", h)
	}
	if _, data := read(t, b, "movie.mp4", r2.GetOptions{}); !bytes.Equal(data, whole) {
		t.Fatal("multipart object bytes differ")
	}
	// Ranges within a part, across the part boundary, and the suffix.
	for _, r := range []r2.Range{
		{Offset: ptr(10), Length: ptr(20)},
		{Offset: ptr(r2.MinPartSize - 3), Length: ptr(6)},
		{Offset: ptr(r2.MinPartSize - 1), Length: ptr(r2.MinPartSize + 2)},
		{Suffix: ptr(9)},
	} {
		rr := r
		res, data := read(t, b, "movie.mp4", r2.GetOptions{Range: &rr})
		want := whole[res.Range.Offset : res.Range.Offset+res.Range.Length]
		if !bytes.Equal(data, want) {
			t.Errorf("range %+v: wrong bytes", *res.Range)
		}
	}
	// Listing shows the object once.
	if res := mustList(t, b, r2.ListOptions{}); !reflect.DeepEqual(keysOf(res), []string{"movie.mp4"}) || res.Objects[0].Size != o.Size {
		t.Errorf("list = %+v", res)
	}
	// A plain put replaces it; delete removes it.
	mustPut(t, b, "movie.mp4", []byte("small"), r2.PutOptions{})
	if _, data := read(t, b, "movie.mp4", r2.GetOptions{}); string(data) != "small" {
		t.Errorf("after put over a multipart object: %q", data)
	}
	// One part, and no parts at all.
	id3, _ := b.CreateMultipartUpload(ctx, "one", r2.MultipartOptions{})
	u := upload(t, b, "one", id3, 1, []byte("1"))
	if o, err := b.CompleteMultipartUpload(ctx, "one", id3, []r2.UploadedPart{u}); err != nil || o.Size != 1 || o.ETag != "46d1741e8075da4ac72c71d8130fcb71-1" {
		t.Errorf("one part = %+v, %v", o, err)
	}
	id4, _ := b.CreateMultipartUpload(ctx, "none", r2.MultipartOptions{})
	if o, err := b.CompleteMultipartUpload(ctx, "none", id4, nil); err != nil || o.Size != 0 || o.ETag != "d41d8cd98f00b204e9800998ecf8427e-0" {
		t.Errorf("no parts = %+v, %v", o, err)
	}
	if _, data := read(t, b, "none", r2.GetOptions{}); len(data) != 0 {
		t.Errorf("empty multipart object = %q", data)
	}
	// Missing part numbers are fine: parts 2, 5 and 9.
	id5, _ := b.CreateMultipartUpload(ctx, "gaps", r2.MultipartOptions{})
	g2 := upload(t, b, "gaps", id5, 2, part('2', r2.MinPartSize))
	g5 := upload(t, b, "gaps", id5, 5, []byte("five"))
	if o, err := b.CompleteMultipartUpload(ctx, "gaps", id5, []r2.UploadedPart{g2, g5}); err != nil || o.Size != r2.MinPartSize+4 {
		t.Errorf("parts with gaps = %+v, %v", o, err)
	}
	if err := b.Delete(ctx, []string{"gaps", "one"}); err != nil {
		t.Fatal(err)
	}
	if h, _ := b.Head(ctx, "gaps"); h != nil {
		t.Error("deleted multipart object is still there")
	}
}

func testMultipartPartRules(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	small := "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)"
	badUpload := "completeMultipartUpload: There was a problem with the multipart upload. (10048)"
	notFound := "completeMultipartUpload: One or more of the specified parts could not be found. (10025)"
	internal := "completeMultipartUpload: We encountered an internal error. Please try again. (10001)"
	min := r2.MinPartSize

	// Parts under 5 MiB, other than the last one given, are refused.
	id, _ := b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	a := upload(t, b, "k", id, 1, []byte("1"))
	c := upload(t, b, "k", id, 2, []byte("2"))
	_, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{a, c})
	wantError(t, err, small)
	// One byte short of 5 MiB is still too small.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	a = upload(t, b, "k", id, 1, part('a', min-1))
	c = upload(t, b, "k", id, 2, []byte("end"))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{a, c})
	wantError(t, err, small)
	// The failed completion leaves the upload usable: replace part 1.
	a = upload(t, b, "k", id, 1, part('a', min))
	if o, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{a, c}); err != nil || o.Size != int64(min+3) {
		t.Fatalf("after replacing the small part: %+v %v", o, err)
	}

	// Sizes are checked in argument order, then in part order.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p1 := upload(t, b, "k", id, 1, []byte("1"))
	p2 := upload(t, b, "k", id, 2, part('2', min))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p2, p1})
	wantError(t, err, badUpload) // the small part is last given but first in order
	// All but the last part must be the same size, the last no larger.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p1 = upload(t, b, "k", id, 1, part('1', min))
	p2 = upload(t, b, "k", id, 2, part('2', min+1))
	p3 := upload(t, b, "k", id, 3, []byte("3"))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p1, p2, p3})
	wantError(t, err, badUpload)
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p1, p2})
	wantError(t, err, badUpload)

	// Re-uploading a part gives it a new etag; the old one no longer completes.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	old := upload(t, b, "k", id, 1, []byte("value"))
	fresh := upload(t, b, "k", id, 1, []byte("value"))
	if old.ETag == fresh.ETag {
		t.Fatal("re-uploaded part kept its etag")
	}
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{old})
	wantError(t, err, notFound)
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{{PartNumber: 7, ETag: fresh.ETag}})
	wantError(t, err, notFound)
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{fresh, fresh})
	wantError(t, err, internal)
	// Parts of another upload do not count.
	other, _ := b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	_, err = b.CompleteMultipartUpload(ctx, "k", other, []r2.UploadedPart{fresh})
	wantError(t, err, notFound)
	if o, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{fresh}); err != nil || o.Size != 5 {
		t.Fatalf("complete with the fresh part: %+v %v", o, err)
	}
	var e *r2.Error
	if _, err := b.UploadPart(ctx, "k", other, 0, strings.NewReader("x")); !errors.As(err, &e) || e.Kind != "TypeError" ||
		e.Message != "Part number must be between 1 and 10000 (inclusive). Actual value was: 0" {
		t.Errorf("part 0: %v", err)
	}
	if _, err := b.UploadPart(ctx, "k", other, 10001, strings.NewReader("x")); err == nil {
		t.Error("part 10001 accepted")
	}
}

func testMultipartLifecycle(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	noUpload := func(op string) string { return op + ": The specified multipart upload does not exist. (10024)" }
	internal := func(op string) string { return op + ": We encountered an internal error. Please try again. (10001)" }

	// Unknown uploads (resumeMultipartUpload does not check ids).
	_, err := b.UploadPart(ctx, "k", "bad", 1, strings.NewReader("v"))
	wantError(t, err, noUpload("uploadPart"))
	_, err = b.CompleteMultipartUpload(ctx, "k", "bad", nil)
	wantError(t, err, internal("completeMultipartUpload"))
	wantError(t, b.AbortMultipartUpload(ctx, "k", "bad"), internal("abortMultipartUpload"))
	// An upload belongs to its key.
	id, _ := b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	_, err = b.UploadPart(ctx, "other", id, 1, strings.NewReader("v"))
	wantError(t, err, noUpload("uploadPart"))
	_, err = b.CompleteMultipartUpload(ctx, "other", id, nil)
	wantError(t, err, internal("completeMultipartUpload"))

	// Abort: parts go, the upload is closed, aborting again is fine.
	upload(t, b, "k", id, 1, []byte("one"))
	if err := b.AbortMultipartUpload(ctx, "k", id); err != nil {
		t.Fatal(err)
	}
	_, err = b.UploadPart(ctx, "k", id, 2, strings.NewReader("v"))
	wantError(t, err, noUpload("uploadPart"))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, nil)
	wantError(t, err, noUpload("completeMultipartUpload"))
	if err := b.AbortMultipartUpload(ctx, "k", id); err != nil {
		t.Errorf("second abort: %v", err)
	}
	if h, _ := b.Head(ctx, "k"); h != nil {
		t.Error("aborted upload made an object")
	}

	// Complete: completing again fails, aborting after is a no-op that
	// keeps the object.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p := upload(t, b, "k", id, 1, []byte("value1"))
	if _, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p}); err != nil {
		t.Fatal(err)
	}
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p})
	wantError(t, err, noUpload("completeMultipartUpload"))
	if err := b.AbortMultipartUpload(ctx, "k", id); err != nil {
		t.Fatal(err)
	}
	if _, data := read(t, b, "k", r2.GetOptions{}); string(data) != "value1" {
		t.Errorf("after abort of a completed upload: %q", data)
	}
	// A second upload to the same key replaces the object.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p = upload(t, b, "k", id, 1, []byte("value2"))
	if _, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p}); err != nil {
		t.Fatal(err)
	}
	if _, data := read(t, b, "k", r2.GetOptions{}); string(data) != "value2" {
		t.Errorf("second upload: %q", data)
	}
	// Metadata limits apply when the upload starts.
	_, err = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{CustomMetadata: map[string]string{"k": strings.Repeat("x", 2048)}})
	wantError(t, err, "createMultipartUpload: Your metadata headers exceed the maximum allowed metadata size. (10012)")
}

func testConcurrency(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				key := fmt.Sprintf("w%d/%d", w, i)
				value := []byte(strings.Repeat(key, 100))
				if _, err := b.Put(ctx, key, bytes.NewReader(value), r2.PutOptions{}); err != nil {
					errs <- err
					return
				}
				res, err := b.Get(ctx, key, r2.GetOptions{})
				if err != nil || res == nil {
					errs <- fmt.Errorf("get %s: %v", key, err)
					return
				}
				data, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || !bytes.Equal(data, value) {
					errs <- fmt.Errorf("get %s: wrong value, %v", key, err)
					return
				}
				// Everyone overwrites one shared key too.
				if _, err := b.Put(ctx, "shared", bytes.NewReader(value), r2.PutOptions{}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if res := mustList(t, b, r2.ListOptions{}); len(res.Objects) != 81 {
		t.Errorf("%d objects after concurrent puts, want 81", len(res.Objects))
	}
}

func testCancelled(t *testing.T, open opener) {
	b, _ := newBucket(t, open)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Put(cctx, "k", strings.NewReader("v"), r2.PutOptions{}); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if h, _ := b.Head(ctx, "k"); h != nil {
		t.Error("a cancelled put stored the object")
	}
	// A value that fails half way stores nothing.
	_, err := b.Put(ctx, "k", io.MultiReader(strings.NewReader("half"), errReader{}), r2.PutOptions{})
	if err == nil {
		t.Error("Put of a failing reader succeeded")
	}
	if h, _ := b.Head(ctx, "k"); h != nil {
		t.Error("a failed put stored the object")
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
