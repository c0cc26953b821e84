package awsplan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-run/ferry/bindings/dynamo"
)

// Account locates ARNs: the partition ("aws", "aws-cn", "aws-us-gov"), the
// region and the 12-digit account id.
type Account struct {
	Partition, Region, ID string
}

// TableARN is the ARN of a DynamoDB table.
func (a Account) TableARN(table string) string {
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", a.Partition, a.Region, a.ID, table)
}

// BucketARN is the ARN of an S3 bucket (bucket ARNs name no region or account).
func (a Account) BucketARN(bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", a.Partition, bucket)
}

// QueueARN is the ARN of an SQS queue.
func (a Account) QueueARN(queue string) string {
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", a.Partition, a.Region, a.ID, queue)
}

// LogGroupARN is the ARN of a Lambda function's CloudWatch log group.
func (a Account) LogGroupARN(function string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/aws/lambda/%s", a.Partition, a.Region, a.ID, function)
}

// Grants lists what one Worker's function uses; names, not ARNs.
type Grants struct {
	Function string   // the Lambda function: its log group
	Tables   []string // KV namespaces' DynamoDB tables
	Buckets  []string // R2 buckets
	// OverflowBucket holds KV values over DynamoDB's item limit: objects only.
	OverflowBucket string
	Producers      []string // SQS queues the Worker sends to
	Consumers      []string // SQS queues the function's event source mappings read
}

// Actions each binding uses. KV: point reads and writes, bulk get, and the
// listing query on the index. R2: objects, multipart uploads and listing.
// Queues: send (SendMessageBatch is authorised as SendMessage); a consumer's
// event source mapping receives, deletes and reads attributes, and the
// bootstrap changes visibility for retry({delaySeconds}).
var (
	kvItemActions  = []string{"dynamodb:BatchGetItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}
	kvIndexActions = []string{"dynamodb:Query"}

	bucketActions = []string{"s3:ListBucket", "s3:ListBucketMultipartUploads"}
	objectActions = []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"}
	overflowObj   = []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}

	producerActions = []string{"sqs:GetQueueAttributes", "sqs:SendMessage"}
	consumerActions = []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}
)

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a PolicyDocument.
type Statement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// Policy returns the least-privilege inline policy of a Worker's role. The
// only wildcards are the log streams of the function's own log group and
// the objects of each bucket (an object ARN names its bucket); no statement
// names a service-wide resource. Its JSON is deterministic: the same grants
// give the same bytes, whatever their order, so Terraform sees no spurious
// change.
func Policy(a Account, g Grants) *PolicyDocument {
	doc := &PolicyDocument{Version: "2012-10-17"}
	add := func(sid string, actions []string, resources ...string) {
		doc.Statement = append(doc.Statement, Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources})
	}
	logs := a.LogGroupARN(g.Function)
	add("Logs", []string{"logs:CreateLogGroup"}, logs)
	add("LogStreams", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs+":*")

	tables := uniq(g.Tables)
	if len(tables) > 0 {
		var items, indexes []string
		for _, t := range tables {
			items = append(items, a.TableARN(t))
			indexes = append(indexes, a.TableARN(t)+"/index/"+dynamo.IndexList)
		}
		add("KVItems", kvItemActions, items...)
		add("KVList", kvIndexActions, indexes...)
	}
	if buckets := uniq(g.Buckets); len(buckets) > 0 {
		var bs, objs []string
		for _, b := range buckets {
			bs = append(bs, a.BucketARN(b))
			objs = append(objs, a.BucketARN(b)+"/*")
		}
		add("R2Buckets", bucketActions, bs...)
		add("R2Objects", objectActions, objs...)
	}
	if g.OverflowBucket != "" && len(tables) > 0 {
		add("KVOverflow", overflowObj, a.BucketARN(g.OverflowBucket)+"/*")
	}
	if qs := uniq(g.Producers); len(qs) > 0 {
		add("QueueSend", producerActions, arns(qs, a.QueueARN)...)
	}
	if qs := uniq(g.Consumers); len(qs) > 0 {
		add("QueueConsume", consumerActions, arns(qs, a.QueueARN)...)
	}
	return doc
}

// JSON encodes the document compactly.
func (d *PolicyDocument) JSON() string {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // strings and slices only
	}
	return string(b)
}

// EqualPolicyJSON reports whether two IAM policy documents are the same,
// ignoring formatting (IAM returns documents URL-encoded and may reformat
// them).
func EqualPolicyJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

func arns(names []string, f func(string) string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = f(n)
	}
	return out
}

// uniq returns the non-empty names sorted, without duplicates.
func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	j := 0
	for i, n := range out {
		if i == 0 || n != out[j-1] {
			out[j] = n
			j++
		}
	}
	return out[:j]
}

// AssumeRolePolicy is the trust policy that lets Lambda assume the role.
const AssumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
