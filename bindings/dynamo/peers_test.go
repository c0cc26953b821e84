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
	s3   *s3.Client // nil when the peer has no S3
}

var seq atomic.Int64

// table creates a uniquely named table on the peer for t.
func (p peer) table(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("kv-%d-%d", time.Now().UnixNano()%1e9, seq.Add(1))
	ctx := context.Background()
	if err := dynamo.CreateTable(ctx, p.db, name, 30*time.Second); err != nil {
		t.Fatal(err)
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

func peers(t testing.TB) []peer {
	return []peer{motoPeer(t)}
}
