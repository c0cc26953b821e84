package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names of a KV item, and the name of the listing index. The
// Terraform provider creates tables with CreateTableInput and TTLInput, so
// both sides agree on them.
const (
	// AttrKey (S) is the KV key, the table's hash key and the range key of
	// IndexList.
	AttrKey = "key"
	// AttrList (S) is IndexList's hash key; every item holds ListPartition.
	AttrList = "list"
	// AttrValue (B) is the value; absent when the value is in S3 (AttrOverflow).
	AttrValue = "value"
	// AttrExp (N) is when the key expires, in Unix seconds; absent when it
	// does not. It is the table's TTL attribute.
	AttrExp = "exp"
	// AttrMeta (S) is the metadata JSON; absent when there is none.
	AttrMeta = "meta"
	// AttrOverflow (S) is the S3 object key of a value stored in the overflow
	// bucket; absent when the value is in the item.
	AttrOverflow = "ovf"

	// IndexList is the global secondary index List queries: hash key
	// AttrList, range key AttrKey, projecting AttrExp and AttrMeta.
	IndexList = "list"
	// ListPartition is the value of AttrList on every item.
	ListPartition = "k"
)

// MaxItemSize is DynamoDB's item size limit in bytes (400 KB), attribute
// names included.
const MaxItemSize = 400 << 10

// CreateTableInput is the request that creates the table of one KV
// namespace: on-demand capacity, hash key AttrKey and the IndexList index.
// Expiry needs TTL enabled as well, which DynamoDB only accepts once the
// table exists: send TTLInput after the table is ACTIVE (CreateTable does
// both).
func CreateTableInput(table string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(AttrKey), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(AttrList), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(AttrKey), KeyType: types.KeyTypeHash},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(IndexList),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(AttrList), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(AttrKey), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{
				ProjectionType:   types.ProjectionTypeInclude,
				NonKeyAttributes: []string{AttrExp, AttrMeta},
			},
		}},
	}
}

// TTLInput is the request that makes DynamoDB delete expired items of the
// table (on AttrExp). Deletion is lazy (typically within days), so Namespace
// also hides expired items itself.
func TTLInput(table string) *dynamodb.UpdateTimeToLiveInput {
	return &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(AttrExp),
			Enabled:       aws.Bool(true),
		},
	}
}

// CreateTable creates the table of a KV namespace, waits (up to wait) until it
// is ACTIVE and enables TTL on it. For tests and tools; production tables
// come from the Terraform provider, which sends the same requests.
func CreateTable(ctx context.Context, client *dynamodb.Client, table string, wait time.Duration) error {
	if _, err := client.CreateTable(ctx, CreateTableInput(table)); err != nil {
		return fmt.Errorf("creating DynamoDB table %q: %w", table, err)
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = 2 * time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)}, wait); err != nil {
		return fmt.Errorf("waiting for DynamoDB table %q: %w", table, err)
	}
	if _, err := client.UpdateTimeToLive(ctx, TTLInput(table)); err != nil {
		return fmt.Errorf("enabling TTL on DynamoDB table %q: %w", table, err)
	}
	return nil
}
