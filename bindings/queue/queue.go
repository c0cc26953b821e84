// Package queue is the Cloudflare Queues binding seen from Go: the Producer
// interface behind `env.QUEUE.send()` / `sendBatch()`, the Backend interface a
// consumer loop drives (lease a batch, then ack, retry or dead-letter each
// message), and the limit checks every implementation shares, so a message
// that is too large fails with the same words everywhere:
//
//	Queue send failed: message length of 130000 bytes exceeds limit of 128000
//
// Delivery is at least once. A message leaves a queue only when its ack is
// recorded; a leased message whose consumer disappears (crash, lost lease)
// becomes visible again when its lease expires, and its next delivery counts
// as another attempt.
//
// bindings/local implements both interfaces on SQLite; bindings/queue/queuetest
// is the conformance suite every implementation must pass. This package
// imports no JS engine.
package queue

import (
	"context"
	"time"
)

// Cloudflare's documented Queues limits
// (developers.cloudflare.com/queues/platform/limits). The delay limit is 12
// hours: Cloudflare's docs and its local simulator (miniflare) both reject
// more than 43,200 seconds, although Ferry's DESIGN.md once said 86,400.
const (
	MaxMessageSize   = 128_000 // bytes of one serialized message body
	MaxBatchMessages = 100     // messages in one sendBatch
	MaxBatchSize     = 288_000 // total body bytes of one sendBatch
	MaxDelaySeconds  = 43_200  // delaySeconds, retry delays and delivery_delay
)

// ContentType says how a body is encoded, as Workers code asked in send():
// "text" (UTF-8), "json" (JSON text), "bytes" (raw) or "v8" (the structured
// clone serialization of core/webapi/clone; the default when send() is given
// no contentType).
type ContentType string

// The content types Cloudflare accepts.
const (
	Text  ContentType = "text"
	JSON  ContentType = "json"
	Bytes ContentType = "bytes"
	V8    ContentType = "v8"
)

// Valid reports whether t is one of the four content types.
func (t ContentType) Valid() bool {
	switch t {
	case Text, JSON, Bytes, V8:
		return true
	}
	return false
}

// Message is one message to send.
type Message struct {
	Body        []byte
	ContentType ContentType
	// DelaySeconds postpones delivery (0..MaxDelaySeconds). Nil means not
	// set: the producer's delivery_delay applies (see WithDeliveryDelay),
	// else none.
	DelaySeconds *int
}

// Producer sends messages to one queue. Methods are safe for concurrent use.
// A send that returns nil is durable: the message will be delivered at least
// once. Validation errors are *Error values worded as Cloudflare's.
//
// Example:
//
//	err := p.Send(ctx, queue.Message{Body: []byte(`{"id":1}`), ContentType: queue.JSON})
type Producer interface {
	// Send enqueues one message.
	Send(ctx context.Context, msg Message) error
	// SendBatch enqueues 1..MaxBatchMessages messages atomically: all or none.
	SendBatch(ctx context.Context, msgs []Message) error
}

// Delivery is a message leased to a consumer. The lease hides it from other
// receivers until it expires or the message is acked, retried or
// dead-lettered.
type Delivery struct {
	ID          string
	Timestamp   time.Time // when it was sent (millisecond precision)
	Body        []byte
	ContentType ContentType
	// Attempts counts deliveries, this one included: 1 the first time.
	// A delivery lost to a crash counts too.
	Attempts int
	// Receipt names this delivery in Ack, Retry, DeadLetter and Extend. Once
	// the lease has expired (and the message may have been leased again)
	// the receipt no longer matches and those calls leave the message alone.
	Receipt string
}

// Pending is what a consumer needs to decide when to receive a batch.
type Pending struct {
	// Visible is the number of messages ready now, counted up to the limit
	// Pending was given.
	Visible int
	// OldestVisible is when the longest-waiting ready message became
	// ready; zero when none is.
	OldestVisible time.Time
	// NextVisible is when the next hidden (delayed, retried or leased)
	// message becomes ready; zero when there is none.
	NextVisible time.Time
}

// Backend is the consumer side of one queue. Methods are safe for concurrent
// use. Receipts from a lease that has expired are ignored (the message stays
// where the newer delivery put it): that is what makes delivery at least once
// rather than at most once.
type Backend interface {
	// Pending reports how many messages are ready (up to limit) and when
	// hidden ones become ready.
	Pending(ctx context.Context, limit int) (Pending, error)
	// Receive leases up to max ready messages, oldest first, hiding them
	// for visibility, and counts an attempt on each. It returns an empty
	// slice when none is ready.
	Receive(ctx context.Context, max int, visibility time.Duration) ([]Delivery, error)
	// Extend keeps leased messages hidden for visibility from now, while
	// their batch is still being processed.
	Extend(ctx context.Context, receipts []string, visibility time.Duration) error
	// Ack removes messages for good.
	Ack(ctx context.Context, receipts []string) error
	// Retry makes messages ready again after delay.
	Retry(ctx context.Context, receipts []string, delay time.Duration) error
	// DeadLetter moves messages to the queue named dlq, keeping their id,
	// timestamp and body, with attempts starting over.
	DeadLetter(ctx context.Context, receipts []string, dlq string) error
}

// Clock tells the time; implementations take one so tests can move time.
type Clock = func() time.Time

// WithDeliveryDelay returns a Producer that gives every message without its
// own delay the delay seconds (wrangler's producer delivery_delay).
func WithDeliveryDelay(p Producer, seconds int) Producer {
	if seconds == 0 {
		return p
	}
	return &delayed{p: p, delay: seconds}
}

type delayed struct {
	p     Producer
	delay int
}

func (d *delayed) fill(m Message) Message {
	if m.DelaySeconds == nil {
		s := d.delay
		m.DelaySeconds = &s
	}
	return m
}

func (d *delayed) Send(ctx context.Context, msg Message) error {
	return d.p.Send(ctx, d.fill(msg))
}

func (d *delayed) SendBatch(ctx context.Context, msgs []Message) error {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = d.fill(m)
	}
	return d.p.SendBatch(ctx, out)
}
