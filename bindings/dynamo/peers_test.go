package dynamo_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/internal/testutil"
)

// peer is a DynamoDB the tests run against.
type peer struct {
	name string
	db   *dynamodb.Client
	s3   *s3.Client
	// ttlDeletes is true when the peer deletes expired items on its own
	// (in real time), as DynamoDB Local does.
	ttlDeletes bool
}

var seq atomic.Int64

// table creates a uniquely named table on the peer for t, as CreateTable
// does.
func (p peer) table(t testing.TB) string {
	t.Helper()
	return p.newTable(t, true)
}

// fakeClockTable creates a table for a test whose clock is kvtest's, in
// November 2023. A peer that deletes expired items in real time would delete
// the items that test expects to expire later, so the table has no TTL there.
// Namespace hides expired items itself, which is what those tests check.
func (p peer) fakeClockTable(t testing.TB) string {
	t.Helper()
	return p.newTable(t, !p.ttlDeletes)
}

func (p peer) newTable(t testing.TB, ttl bool) string {
	t.Helper()
	name := fmt.Sprintf("kv-%d-%d", time.Now().UnixNano()%1e9, seq.Add(1))
	ctx := context.Background()
	if ttl {
		if err := dynamo.CreateTable(ctx, p.db, name, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	} else {
		if _, err := p.db.CreateTable(ctx, dynamo.CreateTableInput(name)); err != nil {
			t.Fatal(err)
		}
		w := dynamodb.NewTableExistsWaiter(p.db)
		if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		p.db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

func awsConfig(url string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	}
}

func motoPeer(t testing.TB) peer {
	url := testutil.Moto(t)
	cfg := awsConfig(url)
	return peer{
		name: "moto",
		db:   dynamodb.NewFromConfig(cfg),
		s3:   s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

// peers are the DynamoDBs the tests run against: moto (with its S3) and
// Amazon DynamoDB Local (with moto's S3).
var peers = []struct {
	name string
	open func(testing.TB) peer
}{
	{"moto", motoPeer},
	{"dynamodb-local", ddbLocalPeer},
}

// eachPeer runs fn against every peer, in parallel subtests.
func eachPeer(t *testing.T, fn func(t *testing.T, p peer)) {
	for _, pk := range peers {
		t.Run(pk.name, func(t *testing.T) {
			t.Parallel()
			fn(t, pk.open(t))
		})
	}
}

// bucket creates a uniquely named S3 bucket on the peer for t.
func (p peer) bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("kv-overflow-%d-%d", time.Now().UnixNano()%1e9, seq.Add(1))
	if _, err := p.s3.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("creating S3 bucket %q: %v", name, err)
	}
	return name
}
