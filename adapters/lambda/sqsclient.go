//go:build !ferry_noaws

package lambdaadapter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	ferrysqs "github.com/ferry-run/ferry/bindings/sqs"
)

// SQSVisibility changes message visibility with the SQS API
// (ChangeMessageVisibilityBatch, ten messages a call), and re-delays messages
// received before they are due (SendMessage; see Redelayer). The client is made on
// first use, from the default AWS configuration (on Lambda: the function's
// role and region; AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL point it at
// another endpoint), so a function that never retries pays nothing at init.
type SQSVisibility struct {
	// Client, when set, is used instead of one from the default configuration.
	Client SQSAPI

	once    sync.Once
	initErr error
	mu      sync.Mutex
	urls    map[string]string // queue ARN → queue URL
}

// SQSAPI is the part of *sqs.Client SQSVisibility uses.
type SQSAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var (
	_ VisibilityChanger = (*SQSVisibility)(nil)
	_ Redelayer         = (*SQSVisibility)(nil)
	_ SQSAPI            = (*sqs.Client)(nil)
)

func (v *SQSVisibility) client(ctx context.Context) (SQSAPI, error) {
	v.once.Do(func() {
		if v.Client != nil {
			return
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			v.initErr = fmt.Errorf("loading the AWS configuration: %w", err)
			return
		}
		v.Client = sqs.NewFromConfig(cfg)
	})
	return v.Client, v.initErr
}

// queueURL resolves a queue ARN (arn:aws:sqs:region:account:name) to its URL
// once per process.
func (v *SQSVisibility) queueURL(ctx context.Context, c SQSAPI, arn string) (string, error) {
	v.mu.Lock()
	u, ok := v.urls[arn]
	v.mu.Unlock()
	if ok {
		return u, nil
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" {
		return "", fmt.Errorf("%q is not an SQS queue ARN", arn)
	}
	out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(parts[5]), QueueOwnerAWSAccountId: aws.String(parts[4])})
	if err != nil {
		return "", fmt.Errorf("getting the URL of queue %s: %w", parts[5], err)
	}
	u = aws.ToString(out.QueueUrl)
	v.mu.Lock()
	if v.urls == nil {
		v.urls = map[string]string{}
	}
	v.urls[arn] = u
	v.mu.Unlock()
	return u, nil
}

// ChangeVisibility implements VisibilityChanger.
func (v *SQSVisibility) ChangeVisibility(ctx context.Context, queueARN string, changes []VisibilityChange) error {
	c, err := v.client(ctx)
	if err != nil {
		return err
	}
	u, err := v.queueURL(ctx, c, queueARN)
	if err != nil {
		return err
	}
	var errs []error
	for len(changes) > 0 {
		n := min(len(changes), 10) // SQS's batch limit
		entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, n)
		for i, ch := range changes[:n] {
			entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{
				Id:                aws.String(fmt.Sprintf("m%d", i)), // batch ids allow [A-Za-z0-9_-] only
				ReceiptHandle:     aws.String(ch.ReceiptHandle),
				VisibilityTimeout: int32(ch.Timeout.Seconds()),
			}
		}
		out, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(u), Entries: entries})
		if err != nil {
			errs = append(errs, fmt.Errorf("changing the visibility of %d message(s): %w", n, err))
		} else {
			for _, f := range out.Failed {
				var i int
				fmt.Sscanf(aws.ToString(f.Id), "m%d", &i)
				errs = append(errs, fmt.Errorf("message %s: %s: %s", changes[i].MessageID, aws.ToString(f.Code), aws.ToString(f.Message)))
			}
		}
		changes = changes[n:]
	}
	return errors.Join(errs...)
}

// Redelay implements Redelayer with bindings/sqs.Redelay.
func (v *SQSVisibility) Redelay(ctx context.Context, queueARN string, m RedelayMessage) error {
	c, err := v.client(ctx)
	if err != nil {
		return err
	}
	u, err := v.queueURL(ctx, c, queueARN)
	if err != nil {
		return err
	}
	return ferrysqs.Redelay(ctx, c, u, m.Body, m.Attrs, m.Decoded, m.MessageID, m.Sent, time.Now())
}
