//go:build !ferry_noaws

// Package awsbind opens a Worker's KV namespaces, R2 buckets and queue
// producers on AWS: KV on DynamoDB (bindings/dynamo), R2 on S3
// (bindings/s3), producers on SQS (bindings/sqs). It is the one place the
// Lambda bootstrap (internal/lambdaboot) and `ferry serve` (internal/serve)
// choose AWS bindings, kept out of internal/cli so that those binaries link
// it without the CLI.
//
// Built with the tag ferry_noaws (ferry build does, for the bootstrap of a
// Worker with no KV, R2 or queue binding), the package links no AWS SDK and
// Bindings refuses any binding: the SDK's package initialization is a large
// part of what a Lambda cold start spends before main.
package awsbind

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/r2"
	r2s3 "github.com/ferry-run/ferry/bindings/s3"
	"github.com/ferry-run/ferry/bindings/sqs"
	"github.com/ferry-run/ferry/core/config"
)

// Set is a Worker's bindings on AWS, ready for env.Spec's KV, R2 and
// Queues.
type Set struct {
	KV     map[string]kv.Namespace
	R2     map[string]r2.Bucket
	Queues map[string]queue.Producer
}

// Bindings opens the KV namespaces, R2 buckets and queue producers of b on
// AWS: KV on DynamoDB (bindings/dynamo), R2 on S3 (bindings/s3), producers
// on SQS (bindings/sqs). It is the one place the Lambda bootstrap and
// `ferry serve` choose AWS bindings:
//
//	set, err := awsbind.Bindings(ctx, os.Getenv, m.Bindings, m.AWS)
//	spec.KV, spec.R2, spec.Queues = set.KV, set.R2, set.Queues
//
// Where each binding lives comes from, first to last:
//
//   - the environment (the Lambda contract, adapters/lambda/manifest):
//     FERRY_KV_<BINDING>=<table>, FERRY_KV_OVERFLOW_BUCKET=<bucket>,
//     FERRY_R2_<BINDING>=<bucket>, FERRY_QUEUE_<BINDING>=<queue URL>;
//   - the config's [ferry.aws] (a, which may be nil): kv and r2 map binding
//     names to tables and buckets, queues maps Workers queue names to SQS
//     queue URLs or names, kv_overflow_bucket;
//   - for a queue producer only, the SQS queue named like the Workers queue
//     (the contract's default), its URL looked up on first send.
//
// A KV or R2 binding with no table or bucket is an error naming the binding
// and the variable to set. One aws.Config serves every client: the SDK's
// default chain (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>,
// credentials, ...) with [ferry.aws] region and endpoint, when set, on top;
// S3 uses path-style addressing when an endpoint is set, as emulators and
// S3-compatible stores need.
//
// It makes no network request (credentials are fetched on first use) and
// builds clients only for the kinds b uses, so a Worker without bindings
// pays nothing at init. getenv is the process environment (State.Getenv).
func Bindings(ctx context.Context, getenv func(string) string, b manifest.Bindings, a *config.AWS) (Set, error) {
	var set Set
	if len(b.KVNamespaces) == 0 && len(b.R2Buckets) == 0 && len(b.QueueProducers) == 0 {
		return set, nil
	}
	if a == nil {
		a = &config.AWS{}
	}
	lookup := func(prefix, binding string, m map[string]string) string {
		if v := getenv(prefix + binding); v != "" {
			return v
		}
		return m[binding]
	}
	// Check every name before building anything, and report every missing
	// one at once.
	var missing []string
	tables := map[string]string{}
	for _, n := range b.KVNamespaces {
		if tables[n.Binding] = lookup(manifest.EnvKVPrefix, n.Binding, a.KV); tables[n.Binding] == "" {
			missing = append(missing, fmt.Sprintf("KV namespace %s has no DynamoDB table: set %s%s=<table> (or [ferry.aws.kv] %s = \"<table>\")", n.Binding, manifest.EnvKVPrefix, n.Binding, n.Binding))
		}
	}
	buckets := map[string]string{}
	for _, r := range b.R2Buckets {
		if buckets[r.Binding] = lookup(manifest.EnvR2Prefix, r.Binding, a.R2); buckets[r.Binding] == "" {
			missing = append(missing, fmt.Sprintf("R2 bucket %s has no S3 bucket: set %s%s=<bucket> (or [ferry.aws.r2] %s = \"<bucket>\")", r.Binding, manifest.EnvR2Prefix, r.Binding, r.Binding))
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return set, fmt.Errorf("binding(s) without an AWS resource: %s", strings.Join(missing, "; "))
	}

	cfg, err := Config(ctx, a)
	if err != nil {
		return set, err
	}
	var s3c *awss3.Client
	s3client := func() *awss3.Client {
		if s3c == nil {
			pathStyle := a.Endpoint != "" || getenv("AWS_ENDPOINT_URL") != "" || getenv("AWS_ENDPOINT_URL_S3") != ""
			s3c = awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = pathStyle })
		}
		return s3c
	}
	if len(b.KVNamespaces) > 0 {
		client := dynamodb.NewFromConfig(cfg)
		var opts []dynamo.Option
		overflow := getenv(manifest.EnvKVOverflowBucket)
		if overflow == "" {
			overflow = a.KVOverflowBucket
		}
		if overflow != "" {
			opts = append(opts, dynamo.WithOverflow(s3client(), overflow))
		}
		set.KV = map[string]kv.Namespace{}
		for _, n := range b.KVNamespaces {
			set.KV[n.Binding] = dynamo.New(client, tables[n.Binding], opts...)
		}
	}
	if len(b.R2Buckets) > 0 {
		set.R2 = map[string]r2.Bucket{}
		for _, r := range b.R2Buckets {
			set.R2[r.Binding] = r2s3.New(s3client(), buckets[r.Binding])
		}
	}
	if len(b.QueueProducers) > 0 {
		client := awssqs.NewFromConfig(cfg)
		set.Queues = map[string]queue.Producer{}
		for _, p := range b.QueueProducers {
			target := getenv(manifest.EnvQueuePrefix + p.Binding)
			if target == "" {
				target = a.Queues[queueName(p)]
			}
			if target == "" {
				target = queueName(p)
			}
			var prod queue.Producer
			if strings.Contains(target, "://") {
				prod = sqs.NewProducer(client, target)
			} else {
				prod = &NamedQueue{client: client, name: target}
			}
			if p.DeliveryDelay != nil {
				prod = queue.WithDeliveryDelay(prod, *p.DeliveryDelay)
			}
			set.Queues[p.Binding] = prod
		}
	}
	return set, nil
}

// Config is the SDK's default configuration with [ferry.aws] region and
// endpoint on top. It reads the environment and the shared config files,
// no network.
func Config(ctx context.Context, a *config.AWS) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if a.Region != "" {
		opts = append(opts, awsconfig.WithRegion(a.Region))
	}
	if a.Endpoint != "" {
		opts = append(opts, awsconfig.WithBaseEndpoint(a.Endpoint))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	return cfg, nil
}

// NamedQueue is a producer for an SQS queue known by name: its URL is looked
// up (GetQueueUrl) on the first send rather than at init, and again after a
// failed lookup.
type NamedQueue struct {
	client *awssqs.Client
	name   string
	mu     sync.Mutex
	p      *sqs.Producer
}

var _ queue.Producer = (*NamedQueue)(nil)

// Name is the SQS queue's name.
func (q *NamedQueue) Name() string { return q.name }

func (q *NamedQueue) producer(ctx context.Context) (*sqs.Producer, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.p != nil {
		return q.p, nil
	}
	out, err := q.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
	if err != nil {
		return nil, fmt.Errorf("getting the URL of SQS queue %s (map it with %s<BINDING> or [ferry.aws.queues]): %w", q.name, manifest.EnvQueuePrefix, err)
	}
	q.p = sqs.NewProducer(q.client, aws.ToString(out.QueueUrl))
	return q.p, nil
}

// Send implements queue.Producer.
func (q *NamedQueue) Send(ctx context.Context, m queue.Message) error {
	if err := queue.CheckSend(m); err != nil {
		return err
	}
	p, err := q.producer(ctx)
	if err != nil {
		return err
	}
	return p.Send(ctx, m)
}

// SendBatch implements queue.Producer.
func (q *NamedQueue) SendBatch(ctx context.Context, msgs []queue.Message) error {
	if err := queue.CheckBatch(msgs); err != nil {
		return err
	}
	p, err := q.producer(ctx)
	if err != nil {
		return err
	}
	return p.SendBatch(ctx, msgs)
}

// queueName is the queue a producer entry sends to: its queue, else its
// binding name.
func queueName(p config.QueueProducer) string {
	if p.Queue != "" {
		return p.Queue
	}
	return p.Binding
}
