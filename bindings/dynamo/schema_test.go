package dynamo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ferry-run/ferry/bindings/dynamo"
)

// TestCreateTable checks the schema a peer builds from CreateTableInput and
// TTLInput: the key, the list index and its projection, TTL on exp.
func TestCreateTable(t *testing.T) {
	eachPeer(t, func(t *testing.T, p peer) {
		ctx := context.Background()
		table := p.table(t)
		d, err := p.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		tb := d.Table
		if len(tb.KeySchema) != 1 || *tb.KeySchema[0].AttributeName != dynamo.AttrKey || tb.KeySchema[0].KeyType != types.KeyTypeHash {
			t.Errorf("key schema = %+v", tb.KeySchema)
		}
		if len(tb.GlobalSecondaryIndexes) != 1 {
			t.Fatalf("indexes = %+v", tb.GlobalSecondaryIndexes)
		}
		gsi := tb.GlobalSecondaryIndexes[0]
		if *gsi.IndexName != dynamo.IndexList || *gsi.KeySchema[0].AttributeName != dynamo.AttrList || *gsi.KeySchema[1].AttributeName != dynamo.AttrKey ||
			gsi.Projection.ProjectionType != types.ProjectionTypeInclude || fmt.Sprint(gsi.Projection.NonKeyAttributes) != fmt.Sprint([]string{dynamo.AttrExp, dynamo.AttrMeta}) {
			t.Errorf("list index = %+v %+v", gsi.KeySchema, gsi.Projection)
		}
		ttl, err := p.db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		if d := ttl.TimeToLiveDescription; d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != dynamo.AttrExp {
			t.Errorf("TTL = %s on %q, want ENABLED on %q", d.TimeToLiveStatus, aws.ToString(d.AttributeName), dynamo.AttrExp)
		}
	})
}
