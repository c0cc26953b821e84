package dynamo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
)

var ctx = context.Background()

// objects lists the keys of the overflow objects of table.
func objects(t *testing.T, p peer, bucket, table string) []string {
	t.Helper()
	out, err := p.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(table + "/")})
	if err != nil {
		t.Fatalf("listing S3 bucket %q: %v", bucket, err)
	}
	keys := []string{}
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// rawItem reads key's item as stored, nil when there is none.
func rawItem(t *testing.T, p peer, table, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := p.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{dynamo.AttrKey: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("GetItem(%q): %v", key, err)
	}
	return out.Item
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) + seed
	}
	return b
}

func mustGetValue(t *testing.T, ns kv.Namespace, key string, want []byte) kv.Entry {
	t.Helper()
	e, found, err := ns.Get(ctx, key)
	if err != nil || !found {
		t.Fatalf("Get(%q): found %v, %v", key, found, err)
	}
	if !bytes.Equal(e.Value, want) {
		t.Fatalf("Get(%q) = %d bytes, want %d bytes (equal: false)", key, len(e.Value), len(want))
	}
	return e
}

// TestOverflow follows one key's value into the overflow bucket and back.
func TestOverflow(t *testing.T) {
	eachPeer(t, func(t *testing.T, p peer) {
		table, bucket := p.fakeClockTable(t), p.bucket(t)
		clock := kvtest.NewClock(kvtest.Start)
		ns := dynamo.New(p.db, table, dynamo.WithOverflow(p.s3, bucket), dynamo.WithClock(clock.Now))

		// The largest value that fits stays in the item: DynamoDB accepts
		// an item of exactly the size itemSize counts. Not on moto, which
		// caps items at 405,000 bytes, its own guess at the limit, where
		// DynamoDB (and DynamoDB Local) allow 400 KiB.
		fit := dynamo.MaxItemSize - dynamo.ItemSize("edge", 0, false, nil)
		if p.name != "moto" {
			if err := ns.Put(ctx, "edge", pattern(fit, 1), kv.PutOptions{}); err != nil {
				t.Fatalf("Put of the largest inline value (%d bytes): %v", fit, err)
			}
			if it := rawItem(t, p, table, "edge"); it[dynamo.AttrValue] == nil || it[dynamo.AttrOverflow] != nil {
				t.Errorf("a value of %d bytes did not stay in the item: %v", fit, it)
			}
		}
		if err := ns.Put(ctx, "edge", pattern(fit+1, 1), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if it := rawItem(t, p, table, "edge"); it[dynamo.AttrValue] != nil || it[dynamo.AttrOverflow] == nil {
			t.Errorf("a value of %d bytes stayed in the item", fit+1)
		}
		mustGetValue(t, ns, "edge", pattern(fit+1, 1))
		if err := ns.Delete(ctx, "edge"); err != nil {
			t.Fatal(err)
		}

		big := pattern(500<<10, 2)
		meta := []byte(`{"size":"big"}`)
		if err := ns.Put(ctx, "k/é\x00", big, kv.PutOptions{Metadata: meta, ExpirationTTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		objs := objects(t, p, bucket, table)
		if len(objs) != 1 {
			t.Fatalf("overflow objects after a put of 500 KiB: %q, want one", objs)
		}
		it := rawItem(t, p, table, "k/é\x00")
		if o, _ := it[dynamo.AttrOverflow].(*types.AttributeValueMemberS); o == nil || o.Value != objs[0] || it[dynamo.AttrValue] != nil {
			t.Fatalf("item = %v, want %s = %q and no %s", it, dynamo.AttrOverflow, objs[0], dynamo.AttrValue)
		}
		e := mustGetValue(t, ns, "k/é\x00", big)
		if string(e.Metadata) != string(meta) || e.Expiration.Unix() != kvtest.Start.Unix()+3600 {
			t.Errorf("metadata %q expiration %v", e.Metadata, e.Expiration)
		}
		many, err := ns.GetMany(ctx, []string{"k/é\x00", "missing", "k/é\x00"})
		if err != nil {
			t.Fatal(err)
		}
		if many[0] == nil || !bytes.Equal(many[0].Value, big) || many[1] != nil || many[2] == nil || !bytes.Equal(many[2].Value, big) {
			t.Errorf("GetMany of an overflow value: %v", many)
		}
		res, err := ns.List(ctx, kv.ListOptions{})
		if err != nil || len(res.Keys) != 1 || string(res.Keys[0].Metadata) != string(meta) {
			t.Errorf("List = %+v, %v", res, err)
		}

		// A large value replacing a large value: a new object, the old one gone.
		big2 := pattern(600<<10, 3)
		if err := ns.Put(ctx, "k/é\x00", big2, kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if objs2 := objects(t, p, bucket, table); len(objs2) != 1 || objs2[0] == objs[0] {
			t.Errorf("objects after replacing a large value with another: %q (before %q)", objs2, objs)
		}
		if e := mustGetValue(t, ns, "k/é\x00", big2); e.Metadata != nil || !e.Expiration.IsZero() {
			t.Errorf("replaced value kept metadata %q, expiration %v", e.Metadata, e.Expiration)
		}

		// A small value replacing it: back in the item, the object deleted.
		if err := ns.Put(ctx, "k/é\x00", []byte("small"), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if objs := objects(t, p, bucket, table); len(objs) != 0 {
			t.Errorf("objects after overwriting with a small value: %q, want none", objs)
		}
		mustGetValue(t, ns, "k/é\x00", []byte("small"))

		// Delete deletes the object.
		if err := ns.Put(ctx, "k/é\x00", big, kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := ns.Delete(ctx, "k/é\x00"); err != nil {
			t.Fatal(err)
		}
		if objs := objects(t, p, bucket, table); len(objs) != 0 {
			t.Errorf("objects after delete: %q, want none", objs)
		}
		if _, found, err := ns.Get(ctx, "k/é\x00"); found || err != nil {
			t.Errorf("Get after delete: found %v, %v", found, err)
		}

		// An expired overflow value is gone, and putting the key again
		// deletes its object (DynamoDB's TTL would leave it behind).
		if err := ns.Put(ctx, "short", big, kv.PutOptions{ExpirationTTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if _, found, err := ns.Get(ctx, "short"); found || err != nil {
			t.Errorf("Get of an expired overflow value: found %v, %v", found, err)
		}
		if many, err := ns.GetMany(ctx, []string{"short"}); err != nil || many[0] != nil {
			t.Errorf("GetMany of an expired overflow value: %v, %v", many, err)
		}
		if err := ns.Put(ctx, "short", []byte("again"), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if objs := objects(t, p, bucket, table); len(objs) != 0 {
			t.Errorf("objects after putting over an expired large value: %q, want none", objs)
		}
	})
}

// TestOverflowMissingObject: a value whose object was deleted behind the
// binding's back is an error naming the object, not a missing key.
func TestOverflowMissingObject(t *testing.T) {
	p := motoPeer(t)
	table, bucket := p.table(t), p.bucket(t)
	ns := dynamo.New(p.db, table, dynamo.WithOverflow(p.s3, bucket))
	if err := ns.Put(ctx, "k", pattern(450<<10, 4), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	objs := objects(t, p, bucket, table)
	if _, err := p.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(objs[0])}); err != nil {
		t.Fatal(err)
	}
	_, found, err := ns.Get(ctx, "k")
	if err == nil || !strings.Contains(err.Error(), objs[0]) || found {
		t.Errorf("Get with its object gone: found %v, error %v; want an error naming %q", found, err, objs[0])
	}
}

// TestOverflowConcurrent reads a key while large values replace each other
// under it: every read sees one whole put (value and metadata together),
// even when the object it found is deleted before it reads it.
func TestOverflowConcurrent(t *testing.T) {
	p := motoPeer(t)
	table, bucket := p.table(t), p.bucket(t)
	ns := dynamo.New(p.db, table, dynamo.WithOverflow(p.s3, bucket))
	value := func(i int) []byte { return pattern(410<<10+i, byte(i)) }
	if err := ns.Put(ctx, "k", value(0), kv.PutOptions{Metadata: []byte("0")}); err != nil {
		t.Fatal(err)
	}
	const puts = 12
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 1; i <= puts; i++ {
			if err := ns.Put(ctx, "k", value(i), kv.PutOptions{Metadata: []byte(fmt.Sprint(i))}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	reads := 0
	for stop := false; !stop; reads++ {
		select {
		case <-done:
			stop = true
		default:
		}
		e, found, err := ns.Get(ctx, "k")
		if err != nil || !found {
			t.Fatalf("Get during puts: found %v, %v", found, err)
		}
		var i int
		fmt.Sscan(string(e.Metadata), &i)
		if !bytes.Equal(e.Value, value(i)) {
			t.Fatalf("Get during puts: metadata %s with a value of %d bytes", e.Metadata, len(e.Value))
		}
	}
	wg.Wait()
	t.Logf("%d reads during %d puts", reads, puts)
	if objs := objects(t, p, bucket, table); len(objs) != 1 {
		t.Errorf("objects after the puts: %q, want one", objs)
	}
}

// TestNoOverflowBucket: without an overflow bucket a value over the item
// limit fails with an error naming the limit, and nothing is stored.
func TestNoOverflowBucket(t *testing.T) {
	eachPeer(t, func(t *testing.T, p peer) {
		table := p.table(t)
		ns := dynamo.New(p.db, table, dynamo.WithOverflow(p.s3, "")) // as with FERRY_KV_OVERFLOW_BUCKET unset
		if err := ns.Put(ctx, "big", []byte("small first"), kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		n := 400 << 10
		err := ns.Put(ctx, "big", make([]byte, n), kv.PutOptions{})
		want := fmt.Sprintf("KV PUT failed: 413 Value length of %d exceeds the DynamoDB item limit of 409600 bytes; configure an overflow bucket (FERRY_KV_OVERFLOW_BUCKET, or dynamo.WithOverflow).", n)
		var kerr *kv.Error
		if !errors.As(err, &kerr) || err.Error() != want {
			t.Fatalf("Put of %d bytes without an overflow bucket: %v\nwant %s", n, err, want)
		}
		mustGetValue(t, ns, "big", []byte("small first"))
		if err := ns.Put(ctx, "new", make([]byte, n), kv.PutOptions{}); err == nil {
			t.Fatal("Put of a new key over the limit worked")
		}
		if it := rawItem(t, p, table, "new"); it != nil {
			t.Errorf("a failed put stored %v", it)
		}
	})
}

// TestOverflowFailedPut: when DynamoDB rejects the item, the object written
// for it is deleted again.
func TestOverflowFailedPut(t *testing.T) {
	p := motoPeer(t)
	bucket := p.bucket(t)
	ns := dynamo.New(p.db, "no-such-table", dynamo.WithOverflow(p.s3, bucket))
	if err := ns.Put(ctx, "k", make([]byte, 500<<10), kv.PutOptions{}); err == nil {
		t.Fatal("Put into a missing table worked")
	} else if !strings.Contains(err.Error(), "no-such-table") {
		t.Errorf("error %q does not name the table", err)
	}
	if objs := objects(t, p, bucket, "no-such-table"); len(objs) != 0 {
		t.Errorf("objects left after a rejected put: %q", objs)
	}
}

// TestOverflowBulkSize: GetMany stops at 25 MB of values in total, counting
// overflow values before reading them.
func TestOverflowBulkSize(t *testing.T) {
	p := motoPeer(t)
	ns := dynamo.New(p.db, p.table(t), dynamo.WithOverflow(p.s3, p.bucket(t)))
	half := make([]byte, kv.MaxBulkGetSize/2)
	for _, k := range []string{"a", "b"} {
		if err := ns.Put(ctx, k, half, kv.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ns.GetMany(ctx, []string{"a", "b"}); err != nil {
		t.Fatalf("GetMany of exactly %d bytes: %v", kv.MaxBulkGetSize, err)
	}
	if err := ns.Put(ctx, "c", []byte("x"), kv.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := ns.GetMany(ctx, []string{"a", "c", "b"})
	if want := "KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB"; err == nil || err.Error() != want {
		t.Errorf("GetMany of %d bytes: %v, want %q", kv.MaxBulkGetSize+1, err, want)
	}
}
