package dynamo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ferry-run/ferry/bindings/kv"
)

// Namespace is one KV namespace in one DynamoDB table (see the package
// comment for the design). It is safe for concurrent use.
type Namespace struct {
	db     *dynamodb.Client
	table  string
	s3     *s3.Client // nil: no overflow bucket
	bucket string
	now    kv.Clock
	log    *slog.Logger
}

var _ kv.Namespace = (*Namespace)(nil)

// Option configures a Namespace.
type Option func(*Namespace)

// WithOverflow keeps values whose item would exceed DynamoDB's 400 KB limit
// in the S3 bucket, under <table>/. One bucket can serve many namespaces.
// Without it (or with a nil client or an empty bucket name, as when
// FERRY_KV_OVERFLOW_BUCKET is unset) such a put fails with an error naming
// the limit.
func WithOverflow(client *s3.Client, bucket string) Option {
	return func(n *Namespace) {
		if client == nil || bucket == "" {
			n.s3, n.bucket = nil, ""
			return
		}
		n.s3, n.bucket = client, bucket
	}
}

// WithClock sets the clock expiry is judged on (default time.Now).
func WithClock(now kv.Clock) Option { return func(n *Namespace) { n.now = now } }

// WithLogger sets where failures that do not fail the operation go: an
// overflow object left behind because deleting it failed after its item was
// replaced or deleted (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(n *Namespace) { n.log = l } }

// New returns the namespace stored in table, which must have the schema of
// CreateTableInput (and TTLInput for DynamoDB to delete expired items).
//
//	ns := dynamo.New(dynamodb.NewFromConfig(cfg), "prod-cache",
//		dynamo.WithOverflow(s3.NewFromConfig(cfg), "prod-kv-overflow"))
func New(client *dynamodb.Client, table string, opts ...Option) *Namespace {
	n := &Namespace{db: client, table: table, now: time.Now}
	for _, o := range opts {
		o(n)
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	return n
}

// overflowHint is what the item-limit error tells users to configure.
const overflowHint = "FERRY_KV_OVERFLOW_BUCKET, or dynamo.WithOverflow"

// item is a decoded table item.
type item struct {
	key      string
	value    []byte // nil when absent
	exp      time.Time
	meta     []byte
	overflow string
}

func decode(av map[string]types.AttributeValue) (item, error) {
	var it item
	k, ok := av[AttrKey].(*types.AttributeValueMemberS)
	if !ok {
		return it, fmt.Errorf("DynamoDB item without a string %q attribute", AttrKey)
	}
	it.key = k.Value
	if v, ok := av[AttrValue].(*types.AttributeValueMemberB); ok {
		it.value = v.Value
		if it.value == nil {
			it.value = []byte{}
		}
	}
	if v, ok := av[AttrExp].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return it, fmt.Errorf("KV key %q: bad %q attribute %q", it.key, AttrExp, v.Value)
		}
		it.exp = time.Unix(sec, 0)
	}
	if v, ok := av[AttrMeta].(*types.AttributeValueMemberS); ok {
		it.meta = []byte(v.Value)
	}
	if v, ok := av[AttrOverflow].(*types.AttributeValueMemberS); ok {
		it.overflow = v.Value
	}
	return it, nil
}

func keyOf(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrKey: &types.AttributeValueMemberS{Value: key}}
}

// checkUTF8 rejects a key DynamoDB cannot store as it is: S attributes are
// UTF-8, and the SDK would replace invalid bytes, storing another key. Keys
// from JavaScript strings are always valid.
func checkUTF8(op, what, s string) error {
	if !utf8.ValidString(s) {
		return &kv.Error{Op: op, Status: 400, Message: fmt.Sprintf("%s %q is not valid UTF-8.", what, s)}
	}
	return nil
}

// Get implements kv.Namespace.
func (n *Namespace) Get(ctx context.Context, key string) (kv.Entry, bool, error) {
	if err := kv.CheckKey(kv.OpGet, key); err != nil {
		return kv.Entry{}, false, err
	}
	if err := checkUTF8(kv.OpGet, "Key", key); err != nil {
		return kv.Entry{}, false, err
	}
	return n.get(ctx, key)
}

// get reads one key. An overflow object deleted between reading the item and
// the object means a concurrent put or delete replaced the item: read again.
func (n *Namespace) get(ctx context.Context, key string) (kv.Entry, bool, error) {
	for attempt := 1; ; attempt++ {
		out, err := n.db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(n.table),
			Key:            keyOf(key),
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return kv.Entry{}, false, fmt.Errorf("reading KV key from DynamoDB table %q: %w", n.table, err)
		}
		if out.Item == nil {
			return kv.Entry{}, false, nil
		}
		it, err := decode(out.Item)
		if err != nil {
			return kv.Entry{}, false, err
		}
		if kv.Expired(it.exp, n.now()) {
			return kv.Entry{}, false, nil
		}
		e := kv.Entry{Value: it.value, Metadata: it.meta, Expiration: it.exp}
		if it.overflow == "" {
			if e.Value == nil {
				return kv.Entry{}, false, fmt.Errorf("KV key %q: DynamoDB item has neither %q nor %q", key, AttrValue, AttrOverflow)
			}
			return e, true, nil
		}
		e.Value, err = n.readOverflow(ctx, it.overflow, -1)
		if errors.Is(err, errGone) {
			if attempt < 5 {
				continue
			}
			return kv.Entry{}, false, fmt.Errorf("reading KV key %q: its value, S3 object %q in bucket %q, is missing", key, it.overflow, n.bucket)
		}
		if err != nil {
			return kv.Entry{}, false, err
		}
		return e, true, nil
	}
}

// GetMany implements kv.Namespace: one BatchGetItem (repeated for the keys
// DynamoDB leaves unprocessed), then the overflow objects.
func (n *Namespace) GetMany(ctx context.Context, keys []string) ([]*kv.Entry, error) {
	if err := kv.CheckGetMany(keys); err != nil {
		return nil, err
	}
	var unique []map[string]types.AttributeValue
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if err := checkUTF8(kv.OpGetBulk, "Key", k); err != nil {
			return nil, err
		}
		if !seen[k] { // BatchGetItem rejects duplicate keys
			seen[k] = true
			unique = append(unique, keyOf(k))
		}
	}
	items, err := n.batchGet(ctx, unique)
	if err != nil {
		return nil, err
	}

	now := n.now()
	out := make([]*kv.Entry, len(keys))
	total := 0
	for i, k := range keys {
		it, ok := items[k]
		if !ok || kv.Expired(it.exp, now) {
			continue
		}
		if it.overflow == "" {
			if it.value == nil {
				return nil, fmt.Errorf("KV key %q: DynamoDB item has neither %q nor %q", k, AttrValue, AttrOverflow)
			}
			total += len(it.value)
		}
		out[i] = &kv.Entry{Value: it.value, Metadata: it.meta, Expiration: it.exp}
	}
	if err := kv.CheckBulkSize(total); err != nil {
		return nil, err
	}
	// Overflow values last, each checked against what the limit leaves
	// before it is read. A key asked for twice is read once.
	fetched := map[string]*kv.Entry{}
	for i, k := range keys {
		it := items[k]
		if out[i] == nil || it.overflow == "" {
			continue
		}
		if e, ok := fetched[k]; ok {
			out[i] = nil
			if e != nil {
				total += len(e.Value)
				if err := kv.CheckBulkSize(total); err != nil {
					return nil, err
				}
				dup := *e
				out[i] = &dup
			}
			continue
		}
		v, err := n.readOverflow(ctx, it.overflow, kv.MaxBulkGetSize-total)
		if errors.Is(err, errGone) {
			// Replaced since the batch read it: read the key alone.
			e, found, gerr := n.get(ctx, k)
			if gerr != nil {
				return nil, gerr
			}
			out[i], v = nil, nil
			if found {
				out[i], v = &e, e.Value
			}
		} else if err != nil {
			return nil, err
		} else {
			out[i].Value = v
		}
		total += len(v)
		if err := kv.CheckBulkSize(total); err != nil {
			return nil, err
		}
		fetched[k] = out[i]
	}
	return out, nil
}

// batchGet reads items by key, retrying the keys DynamoDB leaves unprocessed
// (throttling, or more than 16 MB in one response) with backoff.
func (n *Namespace) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) (map[string]item, error) {
	items := make(map[string]item, len(keys))
	req := map[string]types.KeysAndAttributes{n.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	backoff := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		out, err := n.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, fmt.Errorf("reading KV keys from DynamoDB table %q: %w", n.table, err)
		}
		for _, av := range out.Responses[n.table] {
			it, err := decode(av)
			if err != nil {
				return nil, err
			}
			items[it.key] = it
		}
		left := out.UnprocessedKeys[n.table]
		if len(left.Keys) == 0 {
			return items, nil
		}
		if attempt == 10 {
			return nil, fmt.Errorf("reading KV keys from DynamoDB table %q: %d keys still unprocessed after %d attempts", n.table, len(left.Keys), attempt)
		}
		req = map[string]types.KeysAndAttributes{n.table: left}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("reading KV keys from DynamoDB table %q: %w", n.table, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// Put implements kv.Namespace. The order of writes is in the package comment.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	exp, err := kv.CheckPut(key, len(value), opts, n.now())
	if err != nil {
		return err
	}
	if err := checkUTF8(kv.OpPut, "Key", key); err != nil {
		return err
	}
	if opts.Metadata != nil && !utf8.Valid(opts.Metadata) {
		return &kv.Error{Op: kv.OpPut, Status: 400, Message: "Metadata is not valid UTF-8."}
	}
	av := map[string]types.AttributeValue{
		AttrKey:  &types.AttributeValueMemberS{Value: key},
		AttrList: &types.AttributeValueMemberS{Value: ListPartition},
	}
	if !exp.IsZero() {
		av[AttrExp] = &types.AttributeValueMemberN{Value: strconv.FormatInt(exp.Unix(), 10)}
	}
	if opts.Metadata != nil {
		av[AttrMeta] = &types.AttributeValueMemberS{Value: string(opts.Metadata)}
	}
	var object string
	if itemSize(key, len(value), !exp.IsZero(), opts.Metadata) <= MaxItemSize {
		if value == nil {
			value = []byte{}
		}
		av[AttrValue] = &types.AttributeValueMemberB{Value: value}
	} else {
		if n.s3 == nil {
			return &kv.Error{Op: kv.OpPut, Status: 413, Message: fmt.Sprintf(
				"Value length of %d exceeds the DynamoDB item limit of %d bytes; configure an overflow bucket (%s).",
				len(value), MaxItemSize, overflowHint)}
		}
		if object, err = n.writeOverflow(ctx, key, value); err != nil {
			return err
		}
		av[AttrOverflow] = &types.AttributeValueMemberS{Value: object}
	}
	out, err := n.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:    aws.String(n.table),
		Item:         av,
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		// When DynamoDB answered with an error the item was not written,
		// and the new object is nobody's: remove it. Otherwise (timeout,
		// cancellation) the item may have been written: keep it.
		var apiErr smithy.APIError
		if object != "" && errors.As(err, &apiErr) {
			n.deleteOverflow(ctx, object)
		}
		return fmt.Errorf("writing KV key to DynamoDB table %q: %w", n.table, err)
	}
	n.replaced(ctx, out.Attributes, object)
	return nil
}

// replaced deletes the overflow object of an item a put or delete replaced,
// unless the new item uses the same object.
func (n *Namespace) replaced(ctx context.Context, old map[string]types.AttributeValue, keep string) {
	if o, ok := old[AttrOverflow].(*types.AttributeValueMemberS); ok && o.Value != keep {
		n.deleteOverflow(ctx, o.Value)
	}
}

// itemSize is an upper bound of the size DynamoDB counts for the item of a
// put: attribute names and values, a number as its largest (21 bytes).
func itemSize(key string, valueLen int, hasExp bool, meta []byte) int {
	size := len(AttrKey) + len(key) + len(AttrList) + len(ListPartition) + len(AttrValue) + valueLen
	if hasExp {
		size += len(AttrExp) + 21
	}
	if meta != nil {
		size += len(AttrMeta) + len(meta)
	}
	return size
}

// Delete implements kv.Namespace: the item, then its overflow object.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	if err := kv.CheckKey(kv.OpDelete, key); err != nil {
		return err
	}
	if err := checkUTF8(kv.OpDelete, "Key", key); err != nil {
		return err
	}
	out, err := n.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String(n.table),
		Key:          keyOf(key),
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return fmt.Errorf("deleting KV key from DynamoDB table %q: %w", n.table, err)
	}
	n.replaced(ctx, out.Attributes, "")
	return nil
}

// List implements kv.Namespace: a Query on IndexList from the cursor's key,
// skipping expired items, until it has one key more than the page holds
// (which tells whether the list is complete) or the index ends.
func (n *Namespace) List(ctx context.Context, opts kv.ListOptions) (kv.ListResult, error) {
	limit, after, err := kv.CheckList(opts)
	if err != nil {
		return kv.ListResult{}, err
	}
	if !utf8.ValidString(after) {
		return kv.ListResult{}, &kv.Error{Op: kv.OpList, Status: 400, Message: fmt.Sprintf("Invalid cursor %q.", opts.Cursor)}
	}
	if err := checkUTF8(kv.OpList, "Prefix", opts.Prefix); err != nil {
		return kv.ListResult{}, err
	}
	res := kv.ListResult{Keys: []kv.Key{}}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(n.table),
		IndexName:                 aws.String(IndexList),
		KeyConditionExpression:    aws.String("#l = :l"),
		ExpressionAttributeNames:  map[string]string{"#l": AttrList},
		ExpressionAttributeValues: map[string]types.AttributeValue{":l": &types.AttributeValueMemberS{Value: ListPartition}},
	}
	if opts.Prefix != "" {
		in.KeyConditionExpression = aws.String("#l = :l AND begins_with(#k, :p)")
		in.ExpressionAttributeNames["#k"] = AttrKey
		in.ExpressionAttributeValues[":p"] = &types.AttributeValueMemberS{Value: opts.Prefix}
	}
	switch {
	case after == "" || after < opts.Prefix:
		// From the first key with the prefix.
	case strings.HasPrefix(after, opts.Prefix):
		// DynamoDB takes any start key that matches the key condition,
		// not only stored ones.
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			AttrList: &types.AttributeValueMemberS{Value: ListPartition},
			AttrKey:  &types.AttributeValueMemberS{Value: after},
		}
	default:
		// The cursor is past every key with the prefix.
		res.ListComplete = true
		return res, nil
	}
	now := n.now()
	for {
		in.Limit = aws.Int32(int32(limit + 1 - len(res.Keys)))
		out, err := n.db.Query(ctx, in)
		if err != nil {
			return kv.ListResult{}, fmt.Errorf("listing KV keys in DynamoDB table %q: %w", n.table, err)
		}
		for _, av := range out.Items {
			it, err := decode(av)
			if err != nil {
				return kv.ListResult{}, err
			}
			if kv.Expired(it.exp, now) {
				continue
			}
			res.Keys = append(res.Keys, kv.Key{Name: it.key, Expiration: it.exp, Metadata: it.meta})
		}
		if len(res.Keys) > limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(res.Keys) > limit {
		res.Keys = res.Keys[:limit]
		res.Cursor = kv.Cursor(res.Keys[limit-1].Name)
	} else {
		res.ListComplete = true
	}
	return res, nil
}
