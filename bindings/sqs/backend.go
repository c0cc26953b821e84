package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-run/ferry/bindings/queue"
)

// MaxVisibility is SQS's largest visibility timeout (12 hours), the longest
// lease, retry delay or extension the Backend can ask for.
const MaxVisibility = 12 * time.Hour

// Backend is the consumer side of one SQS queue, for a consumer loop that
// polls (adapters/http.Consumer under `ferry serve`); on Lambda the event
// source mapping does this instead. It is safe for concurrent use.
//
//   - Receive is ReceiveMessage (10 messages a call, as many calls as the
//     batch needs), with the lease as the visibility timeout; Attempts is
//     SQS's ApproximateReceiveCount. A message received before its
//     ferry-deliver-at is sent on with the delay that remains (Redelay),
//     deleted and not returned. A message whose body does not decode as its
//     attributes say is not returned either: its lease runs out and the
//     queue's redrive policy, if any, dead-letters it.
//   - Extend and Retry are ChangeMessageVisibilityBatch (a retry delay is
//     the message's new visibility timeout, at most 12 hours: Workers'
//     largest delay); Ack is DeleteMessageBatch.
//   - DeadLetter sends the message to the SQS queue named dlq (its URL
//     looked up once) with its id and timestamp kept, then deletes it.
//   - Pending counts with GetQueueAttributes (ApproximateNumberOfMessages,
//     an estimate). SQS does not say how long the oldest message has
//     waited, so OldestVisible is when this Backend first saw the queue
//     non-empty; NextVisible is never known (the loop polls).
//
// Receipts of an expired lease are ignored, as queue.Backend requires: SQS
// answers ReceiptHandleIsInvalid for them, which is not an error here.
type Backend struct {
	client *sqs.Client
	url    string
	name   string
	now    queue.Clock

	mu        sync.Mutex
	leased    map[string]leased // receipt → what DeadLetter needs
	dlqURLs   map[string]string
	firstSeen time.Time
}

// leased is a received message, kept until it is acked, retried or
// dead-lettered (or its lease is long gone).
type leased struct {
	body  string
	attrs map[string]string
	id    string
	sent  time.Time
	at    time.Time
}

var _ queue.Backend = (*Backend)(nil)

// NewBackend returns the consumer side of the SQS queue at queueURL. It makes
// no request.
func NewBackend(client *sqs.Client, queueURL string, opts ...Option) *Backend {
	o := newOptions(opts)
	return &Backend{client: client, url: queueURL, name: QueueName(queueURL), now: o.now,
		leased: map[string]leased{}, dlqURLs: map[string]string{}}
}

// Pending implements queue.Backend.
func (b *Backend) Pending(ctx context.Context, limit int) (queue.Pending, error) {
	out, err := b.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(b.url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		return queue.Pending{}, fmt.Errorf("reading SQS queue %s: %w", b.name, err)
	}
	n, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	b.mu.Lock()
	defer b.mu.Unlock()
	if n == 0 {
		b.firstSeen = time.Time{}
		return queue.Pending{}, nil
	}
	if b.firstSeen.IsZero() {
		b.firstSeen = b.now()
	}
	return queue.Pending{Visible: min(n, limit), OldestVisible: b.firstSeen}, nil
}

// visibility converts a duration to SQS's whole seconds, 0..12 hours.
func visibility(d time.Duration) int32 {
	s := (min(max(d, 0), MaxVisibility) + time.Second - 1) / time.Second
	return int32(s)
}

// Receive implements queue.Backend.
func (b *Backend) Receive(ctx context.Context, max int, lease time.Duration) ([]queue.Delivery, error) {
	var out []queue.Delivery
	for len(out) < max {
		res, err := b.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(b.url), MaxNumberOfMessages: int32(min(max-len(out), MaxBatchEntries)),
			VisibilityTimeout: visibility(lease), MessageAttributeNames: []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{
				types.MessageSystemAttributeNameSentTimestamp, types.MessageSystemAttributeNameApproximateReceiveCount,
			},
		})
		if err != nil {
			if len(out) > 0 {
				break // deliver what was leased; the rest stays in the queue
			}
			return nil, fmt.Errorf("receiving from SQS queue %s: %w", b.name, err)
		}
		if len(res.Messages) == 0 {
			break
		}
		for _, m := range res.Messages {
			if d, ok := b.delivery(ctx, m); ok {
				out = append(out, d)
			}
		}
		b.mu.Lock()
		b.firstSeen = time.Time{}
		b.mu.Unlock()
	}
	return out, nil
}

// delivery converts a received message; ok is false for one not due yet
// (re-delayed) or that does not decode.
func (b *Backend) delivery(ctx context.Context, m types.Message) (queue.Delivery, bool) {
	attrs := map[string]string{}
	for k, v := range m.MessageAttributes {
		if v.StringValue != nil {
			attrs[k] = *v.StringValue
		}
	}
	body := aws.ToString(m.Body)
	d, err := Decode(body, attrs)
	if err != nil {
		return queue.Delivery{}, false
	}
	now := b.now()
	id := aws.ToString(m.MessageId)
	sent := now
	if ms, err := strconv.ParseInt(m.Attributes[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
		sent = time.UnixMilli(ms)
	}
	if d.DeliverAt.After(now) {
		if Redelay(ctx, b.client, b.url, body, attrs, d, id, sent, now) == nil {
			b.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(b.url), ReceiptHandle: m.ReceiptHandle})
		}
		return queue.Delivery{}, false
	}
	if d.ID != "" {
		id = d.ID
	}
	if !d.Timestamp.IsZero() {
		sent = d.Timestamp
	}
	attempts, err := strconv.Atoi(m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	if err != nil || attempts < 1 {
		attempts = 1
	}
	receipt := aws.ToString(m.ReceiptHandle)
	b.mu.Lock()
	for r, l := range b.leased {
		if now.Sub(l.at) > 2*MaxVisibility {
			delete(b.leased, r)
		}
	}
	b.leased[receipt] = leased{body: body, attrs: attrs, id: id, sent: sent, at: now}
	b.mu.Unlock()
	return queue.Delivery{ID: id, Timestamp: sent.Truncate(time.Millisecond), Body: d.Body, ContentType: d.ContentType, Attempts: attempts, Receipt: receipt}, true
}

// Extend implements queue.Backend.
func (b *Backend) Extend(ctx context.Context, receipts []string, lease time.Duration) error {
	return b.changeVisibility(ctx, receipts, lease)
}

// Retry implements queue.Backend.
func (b *Backend) Retry(ctx context.Context, receipts []string, delay time.Duration) error {
	err := b.changeVisibility(ctx, receipts, delay)
	b.forget(receipts)
	return err
}

func (b *Backend) forget(receipts []string) {
	b.mu.Lock()
	for _, r := range receipts {
		delete(b.leased, r)
	}
	b.mu.Unlock()
}

// staleReceipt reports whether a batch entry failed only because its lease
// had expired (the message was received again, or deleted).
func staleReceipt(code string) bool {
	return code == "ReceiptHandleIsInvalid" || code == "InvalidParameterValue" || code == "MessageNotInflight"
}

func (b *Backend) changeVisibility(ctx context.Context, receipts []string, d time.Duration) error {
	var errs []error
	for len(receipts) > 0 {
		n := min(len(receipts), MaxBatchEntries)
		entries := make([]types.ChangeMessageVisibilityBatchRequestEntry, n)
		for i, r := range receipts[:n] {
			entries[i] = types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r), VisibilityTimeout: visibility(d)}
		}
		out, err := b.client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(b.url), Entries: entries})
		if err != nil {
			return fmt.Errorf("changing the visibility of %d message(s) on SQS queue %s: %w", len(receipts), b.name, err)
		}
		for _, f := range out.Failed {
			if !staleReceipt(aws.ToString(f.Code)) {
				errs = append(errs, fmt.Errorf("changing the visibility of a message on SQS queue %s: %s: %s", b.name, aws.ToString(f.Code), aws.ToString(f.Message)))
			}
		}
		receipts = receipts[n:]
	}
	return errors.Join(errs...)
}

// Ack implements queue.Backend.
func (b *Backend) Ack(ctx context.Context, receipts []string) error {
	defer b.forget(receipts)
	var errs []error
	for len(receipts) > 0 {
		n := min(len(receipts), MaxBatchEntries)
		entries := make([]types.DeleteMessageBatchRequestEntry, n)
		for i, r := range receipts[:n] {
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(r)}
		}
		out, err := b.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(b.url), Entries: entries})
		if err != nil {
			return fmt.Errorf("deleting %d message(s) from SQS queue %s: %w", len(receipts), b.name, err)
		}
		for _, f := range out.Failed {
			if !staleReceipt(aws.ToString(f.Code)) {
				errs = append(errs, fmt.Errorf("deleting a message from SQS queue %s: %s: %s", b.name, aws.ToString(f.Code), aws.ToString(f.Message)))
			}
		}
		receipts = receipts[n:]
	}
	return errors.Join(errs...)
}

// DeadLetter implements queue.Backend.
func (b *Backend) DeadLetter(ctx context.Context, receipts []string, dlq string) error {
	u, err := b.queueURL(ctx, dlq)
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range receipts {
		b.mu.Lock()
		l, ok := b.leased[r]
		b.mu.Unlock()
		if !ok {
			continue // not leased here, or already handled
		}
		attrs := make(map[string]types.MessageAttributeValue, len(l.attrs)+2)
		for k, v := range l.attrs {
			attrs[k] = stringAttr(v)
		}
		delete(attrs, AttrDeliverAt)
		attrs[AttrID] = stringAttr(l.id)
		attrs[AttrTimestamp] = stringAttr(strconv.FormatInt(l.sent.UnixMilli(), 10))
		if _, err := b.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String(l.body), MessageAttributes: attrs}); err != nil {
			errs = append(errs, fmt.Errorf("moving message %s to SQS queue %s: %w", l.id, dlq, err))
			continue
		}
		if err := b.Ack(ctx, []string{r}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (b *Backend) queueURL(ctx context.Context, name string) (string, error) {
	b.mu.Lock()
	u, ok := b.dlqURLs[name]
	b.mu.Unlock()
	if ok {
		return u, nil
	}
	out, err := b.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("getting the URL of SQS queue %s: %w", name, err)
	}
	u = aws.ToString(out.QueueUrl)
	b.mu.Lock()
	b.dlqURLs[name] = u
	b.mu.Unlock()
	return u, nil
}
