// Package sqs is Cloudflare Queues on Amazon SQS: a queue.Producer
// (`env.QUEUE.send()` / `sendBatch()`) and a queue.Backend (the consumer
// side: receive, extend, ack, retry, dead-letter), one standard SQS queue per
// Workers queue.
//
// # Messages
//
// A message's body is the SQS body; its Workers content type travels in the
// String message attribute AttrContentType. SQS bodies are XML text, so
// "bytes" and "v8" (structured-clone bytes) bodies are base64, and a "text"
// or "json" body with characters SQS refuses is base64 too, with
// AttrEncoding saying so. Decode reverses it; adapters/lambda and the Backend
// use it, so whatever this producer writes reaches the Worker as it was sent.
// A message from another producer (no attribute) is text.
//
// # Limits
//
// Cloudflare's validation runs first (queue.CheckSend, queue.CheckBatch:
// 128,000-byte messages, 100 messages and 288,000 bytes per batch, delays up
// to 43,200 s), with Cloudflare's words. SQS's own limits are bridged:
//
//   - SendMessageBatch takes 10 entries and 256 KiB: a sendBatch is sent in
//     as many calls as it needs, in order.
//   - DelaySeconds stops at 900 s. A longer delay is sent as 900 s with
//     AttrDeliverAt, the due time; a consumer that receives the message
//     before then sends it again with the delay that remains (Redelay)
//     instead of delivering it. Each hop keeps the message's id and
//     timestamp (AttrID, AttrTimestamp).
//
// # sendBatch is not atomic on SQS
//
// queue.Producer promises all-or-none for SendBatch; SQS only offers
// all-or-none per call of 10 entries, and not even that: each entry of a
// call succeeds or fails on its own. Entries that fail for a reason on SQS's
// side (SenderFault false: throttling, internal errors) are sent again, up
// to three more times with a short backoff. When some messages still could
// not be sent, SendBatch returns a *BatchError naming each one by its index
// in the batch (messages[i]) with SQS's code and message, and saying how
// many were sent: those will be delivered, and cannot be taken back. A
// Worker that retries the whole sendBatch then sends them twice; Queues
// delivery is at least once, so consumers must tolerate duplicates anyway.
// A call that fails as a whole (after the SDK's own retries) stops the
// batch: the messages after it are reported as not sent.
package sqs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-run/ferry/bindings/queue"
)

// Producer sends to one SQS queue. It is safe for concurrent use.
type Producer struct {
	client  *sqs.Client
	url     string
	name    string
	now     queue.Clock
	retries int
	backoff time.Duration
}

var _ queue.Producer = (*Producer)(nil)

// Option configures a Producer or a Backend.
type Option func(*options)

type options struct {
	now     queue.Clock
	retries int
	backoff time.Duration
}

// WithClock sets the clock that dates AttrDeliverAt (default time.Now).
func WithClock(now queue.Clock) Option { return func(o *options) { o.now = now } }

// WithEntryRetries sets how many more times an entry that failed on SQS's
// side is sent, and the backoff before the first retry, doubled each time
// (default 3 and 100 ms).
func WithEntryRetries(n int, backoff time.Duration) Option {
	return func(o *options) { o.retries, o.backoff = n, backoff }
}

func newOptions(opts []Option) options {
	o := options{now: time.Now, retries: 3, backoff: 100 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// NewProducer returns a producer sending to the SQS queue at queueURL.
// It makes no request.
//
//	p := sqs.NewProducer(sqsclient.NewFromConfig(cfg), "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs")
func NewProducer(client *sqs.Client, queueURL string, opts ...Option) *Producer {
	o := newOptions(opts)
	return &Producer{client: client, url: queueURL, name: QueueName(queueURL), now: o.now, retries: o.retries, backoff: o.backoff}
}

// Queue is the name of the SQS queue the producer sends to.
func (p *Producer) Queue() string { return p.name }

// QueueName is the queue name at the end of an SQS queue URL.
func QueueName(queueURL string) string {
	return queueURL[strings.LastIndexByte(queueURL, '/')+1:]
}

// Send implements queue.Producer.
func (p *Producer) Send(ctx context.Context, m queue.Message) error {
	if err := queue.CheckSend(m); err != nil {
		return err
	}
	e := encode(m, p.now())
	_, err := p.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(p.url), MessageBody: aws.String(e.body), MessageAttributes: e.attrs, DelaySeconds: e.delay,
	})
	if err != nil {
		return fmt.Errorf("sending to SQS queue %s: %w", p.name, err)
	}
	return nil
}

// SendBatch implements queue.Producer, in calls of up to MaxBatchEntries
// messages and MaxBatchBytes; see the package comment for what happens when
// part of a batch fails.
func (p *Producer) SendBatch(ctx context.Context, msgs []queue.Message) error {
	if err := queue.CheckBatch(msgs); err != nil {
		return err
	}
	now := p.now()
	enc := make([]encoded, len(msgs))
	for i, m := range msgs {
		enc[i] = encode(m, now)
	}
	be := &BatchError{Queue: p.name, Total: len(msgs)}
	for start := 0; start < len(enc); {
		end := chunkEnd(enc, start)
		if err := p.sendChunk(ctx, enc, start, end, be); err != nil {
			for i := start; i < len(enc); i++ {
				if !be.failed(i) {
					be.NotSent = append(be.NotSent, i)
				}
			}
			be.Err = err
			break
		}
		start = end
	}
	if len(be.Failed) == 0 && len(be.NotSent) == 0 {
		return nil
	}
	return be
}

// chunkEnd returns the end of the SendMessageBatch call that starts at
// enc[start]: at most MaxBatchEntries messages and MaxBatchBytes.
func chunkEnd(enc []encoded, start int) int {
	end, size := start, 0
	for end < len(enc) && end-start < MaxBatchEntries && (end == start || size+enc[end].size() <= MaxBatchBytes) {
		size += enc[end].size()
		end++
	}
	return end
}

// sendChunk sends enc[start:end] in one call, then sends again the entries
// SQS failed on its side. Entries that still fail are added to be; a call
// that fails as a whole is returned.
func (p *Producer) sendChunk(ctx context.Context, enc []encoded, start, end int, be *BatchError) error {
	pending := make([]int, 0, end-start)
	for i := start; i < end; i++ {
		pending = append(pending, i)
	}
	backoff := p.backoff
	for attempt := 0; ; attempt++ {
		entries := make([]types.SendMessageBatchRequestEntry, len(pending))
		for j, i := range pending {
			entries[j] = types.SendMessageBatchRequestEntry{
				Id: aws.String(fmt.Sprintf("m%d", i)), MessageBody: aws.String(enc[i].body),
				MessageAttributes: enc[i].attrs, DelaySeconds: enc[i].delay,
			}
		}
		out, err := p.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(p.url), Entries: entries})
		if err != nil {
			return fmt.Errorf("sending to SQS queue %s: %w", p.name, err)
		}
		var retry []int
		for _, f := range out.Failed {
			var i int
			if _, err := fmt.Sscanf(aws.ToString(f.Id), "m%d", &i); err != nil || i < start || i >= end {
				return fmt.Errorf("sending to SQS queue %s: SendMessageBatch answered for an unknown entry %q", p.name, aws.ToString(f.Id))
			}
			if !f.SenderFault && attempt < p.retries {
				retry = append(retry, i)
				continue
			}
			be.Failed = append(be.Failed, EntryError{Index: i, Code: aws.ToString(f.Code), Message: aws.ToString(f.Message)})
		}
		if len(retry) == 0 {
			return nil
		}
		pending = retry
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			for _, i := range retry {
				be.Failed = append(be.Failed, EntryError{Index: i, Code: "Canceled", Message: ctx.Err().Error()})
			}
			return nil
		}
		backoff *= 2
	}
}

// BatchError is a sendBatch of which some messages were not sent. The
// others were sent and will be delivered.
type BatchError struct {
	Queue string
	Total int // messages in the batch
	// Failed are the messages SQS refused (after retries when the fault was
	// SQS's).
	Failed []EntryError
	// NotSent are the indexes of the messages of the call that failed as a
	// whole (Err) and of every message after them, which were not tried.
	NotSent []int
	Err     error
}

// EntryError is one message SQS refused.
type EntryError struct {
	Index   int // in the batch given to SendBatch
	Code    string
	Message string
}

func (e *BatchError) failed(i int) bool {
	for _, f := range e.Failed {
		if f.Index == i {
			return true
		}
	}
	return false
}

// Error reads, for example: "2 of 25 messages were not sent to SQS queue
// jobs (the other 23 were): messages[3]: InvalidParameterValue: ...;
// messages[7]: ...".
func (e *BatchError) Error() string {
	n := len(e.Failed) + len(e.NotSent)
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d messages were not sent to SQS queue %s (the other %d were)", n, e.Total, e.Queue, e.Total-n)
	for i, f := range e.Failed {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "messages[%d]: %s: %s", f.Index, f.Code, f.Message)
	}
	if len(e.NotSent) > 0 {
		if len(e.Failed) == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "messages[%d..%d]: %v", e.NotSent[0], e.NotSent[len(e.NotSent)-1], e.Err)
	}
	return b.String()
}

// Unwrap returns the error of the call that stopped the batch, if any.
func (e *BatchError) Unwrap() error { return e.Err }

// Sender is the part of *sqs.Client Redelay uses.
type Sender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

var _ Sender = (*sqs.Client)(nil)

// Redelay sends again, to queueURL, a message received before it is due
// (Decoded.DeliverAt after now): same body and String attributes, delayed by
// what remains (at most MaxDelaySeconds; AttrDeliverAt is kept only while
// more remains than that), with AttrID and AttrTimestamp set to the id and
// send time the message first had. The caller then deletes (acks) the
// received copy; if Redelay fails, it must leave it in the queue.
func Redelay(ctx context.Context, client Sender, queueURL, body string, attrs map[string]string, d Decoded, id string, sent, now time.Time) error {
	if d.DeliverAt.IsZero() {
		return errors.New("the message has no " + AttrDeliverAt + " attribute")
	}
	remaining := d.DeliverAt.Sub(now)
	delay := int32((remaining + time.Second - 1) / time.Second)
	out := make(map[string]types.MessageAttributeValue, len(attrs)+2)
	for k, v := range attrs {
		out[k] = stringAttr(v)
	}
	if delay <= MaxDelaySeconds {
		delete(out, AttrDeliverAt)
	} else {
		delay = MaxDelaySeconds
	}
	delay = max(delay, 0)
	if d.ID == "" {
		out[AttrID] = stringAttr(id)
	}
	if d.Timestamp.IsZero() {
		out[AttrTimestamp] = stringAttr(fmt.Sprint(sent.UnixMilli()))
	}
	_, err := client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(queueURL), MessageBody: aws.String(body), MessageAttributes: out, DelaySeconds: delay,
	})
	if err != nil {
		return fmt.Errorf("re-delaying message %s on SQS queue %s: %w", id, QueueName(queueURL), err)
	}
	return nil
}
