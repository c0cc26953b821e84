package httpadapter

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
)

// Consumer delivers one queue's messages to the Worker's queue() handler, as
// Cloudflare Queues does for a consumer Worker, over any queue.Backend (the
// embedded durable queue in `ferry dev`).
//
// Batching: a batch goes out as soon as MaxBatchSize messages are ready, or
// when the oldest ready message has waited MaxBatchTimeout, whichever comes
// first. Each batch is leased for Visibility and the lease is renewed while
// the handler runs, so a batch whose process dies becomes visible again
// (bindings/local also releases a dead process's leases at start-up).
//
// Outcomes follow core.Worker.Queue (explicit ack/retry, then ackAll/retryAll,
// else ack on success and retry when the handler throws): an ack is recorded
// only after the handler's promise and its waitUntil work have settled, so
// nothing is acked early. A retried message comes back after its retry delay
// (msg.retry({delaySeconds}) or retryAll's, else the consumer's retry_delay).
// A message that fails its MaxRetries+1'th delivery moves to DeadLetterQueue,
// or is dropped with a warning when there is none, as on Cloudflare.
//
// Concurrency: MaxConcurrency batches at most are in flight at once (wrangler's
// max_concurrency). Cloudflare scales consumers up by itself when the key is
// absent; the dev server then runs one batch at a time, which keeps console
// output in order and is what a local consumer needs.
type Consumer struct {
	Queue   string // batch.queue, and the name in log lines
	Backend queue.Backend

	MaxBatchSize    int           // 1..100
	MaxBatchTimeout time.Duration // 0 delivers each batch as soon as a message is ready
	MaxRetries      int
	DeadLetterQueue string // "" drops messages that run out of retries
	RetryDelay      time.Duration
	MaxConcurrency  int // batches in flight; 0 means 1

	// Worker returns the Worker to deliver to and a func to call when the
	// batch is done with it (Handler.Hold); nil when none is loaded.
	Worker func() (*core.Worker, func())
	Clock  Clock
	Log    *slog.Logger
	// Visibility is how long a batch stays leased without renewal; 0
	// means DefaultVisibility.
	Visibility time.Duration
	// Poll is how often the queue is checked for messages it did not
	// signal (sent by another process); 0 means DefaultPoll.
	Poll time.Duration
}

// Defaults for Consumer.
const (
	DefaultVisibility = 30 * time.Second
	DefaultPoll       = time.Second
)

// NewConsumer returns the consumer for a wrangler queues.consumers entry,
// with Cloudflare's defaults for the settings the entry leaves out.
func NewConsumer(c config.QueueConsumer, b queue.Backend, worker func() (*core.Worker, func())) *Consumer {
	n := &Consumer{
		Queue:           c.Queue,
		Backend:         b,
		MaxBatchSize:    c.BatchSize(),
		MaxBatchTimeout: c.BatchTimeout(),
		MaxRetries:      c.Retries(),
		DeadLetterQueue: c.DeadLetterQueue,
		RetryDelay:      c.RetryDelayDuration(),
		Worker:          worker,
	}
	if c.MaxConcurrency != nil {
		n.MaxConcurrency = *c.MaxConcurrency
	}
	return n
}

// Hold returns the Worker serving new events, kept open until release is
// called even if a reload swaps it out meanwhile (a queue batch must finish on
// the Worker it started on). w is nil before the first Swap.
func (h *Handler) Hold() (w *core.Worker, release func()) {
	v := h.acquire()
	if v == nil {
		return nil, func() {}
	}
	return v.w, v.refs.Done
}

// changer is implemented by backends that can signal new messages (the local
// queue, for sends within the process), so delivery need not wait for a poll.
type changer interface {
	Changed() <-chan struct{}
}

// Run delivers batches until ctx ends, then waits for the batches in flight:
// their outcomes are recorded even after ctx ends.
func (c *Consumer) Run(ctx context.Context) {
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Visibility <= 0 {
		c.Visibility = DefaultVisibility
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	c.MaxBatchSize = min(max(c.MaxBatchSize, 1), config.MaxBatchSizeLimit)
	slots := make(chan struct{}, max(c.MaxConcurrency, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		w, release, ds := c.nextBatch(ctx)
		if ds == nil {
			<-slots
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			c.deliver(context.WithoutCancel(ctx), w, release, ds)
		}()
	}
}

// nextBatch waits until a batch is due and leases it, holding the Worker it
// will go to; ds is nil when ctx ends first.
func (c *Consumer) nextBatch(ctx context.Context) (w *core.Worker, release func(), ds []queue.Delivery) {
	ch, _ := c.Backend.(changer)
	for {
		var changed <-chan struct{}
		if ch != nil {
			changed = ch.Changed() // before Pending, so no send slips between
		}
		wait := c.Poll
		p, err := c.Backend.Pending(ctx, c.MaxBatchSize)
		switch {
		case ctx.Err() != nil:
			return nil, nil, nil
		case err != nil:
			c.Log.Error("reading queue "+c.Queue+": "+err.Error(), slog.String("queue", c.Queue))
		default:
			now := c.Clock.Now()
			due := p.Visible > 0 && (p.Visible >= c.MaxBatchSize || !now.Before(p.OldestVisible.Add(c.MaxBatchTimeout)))
			if due {
				if w, release = c.Worker(); w != nil {
					ds, err = c.Backend.Receive(ctx, c.MaxBatchSize, c.Visibility)
					if err == nil && len(ds) > 0 {
						return w, release, ds
					}
					release()
					if err == nil {
						continue // another consumer took them
					}
					if ctx.Err() != nil {
						return nil, nil, nil
					}
					c.Log.Error("receiving from queue "+c.Queue+": "+err.Error(), slog.String("queue", c.Queue))
				}
				break // no Worker loaded (a failed first build): look again later
			}
			var next time.Time
			if p.Visible > 0 {
				next = p.OldestVisible.Add(c.MaxBatchTimeout)
			}
			if !p.NextVisible.IsZero() && (next.IsZero() || p.NextVisible.Before(next)) {
				next = p.NextVisible
			}
			if !next.IsZero() {
				wait = min(wait, max(next.Sub(now), time.Millisecond))
			}
		}
		select {
		case <-ctx.Done():
			return nil, nil, nil
		case <-changed:
		case <-c.Clock.After(wait):
		}
	}
}

// deliver runs the queue handler on one batch and records each message's
// outcome.
func (c *Consumer) deliver(ctx context.Context, w *core.Worker, release func(), ds []queue.Delivery) {
	start := time.Now()
	receipts := make([]string, len(ds))
	msgs := make([]core.QueueMessage, len(ds))
	for i, d := range ds {
		receipts[i] = d.Receipt
		msgs[i] = core.QueueMessage{ID: d.ID, Timestamp: d.Timestamp, Body: d.Body, ContentType: string(d.ContentType), Attempts: d.Attempts}
	}
	stop := c.keepLeased(ctx, receipts)
	outcomes, err := w.Queue(ctx, c.Queue, msgs)
	stop()
	release()
	if err != nil {
		c.Log.Error("queue event failed: "+err.Error(), slog.String("queue", c.Queue))
	}

	var acked, dead []string
	retries := map[time.Duration][]string{}
	maxAttempts := c.MaxRetries + 1
	plural := "s"
	if maxAttempts == 1 {
		plural = ""
	}
	for i, d := range ds {
		o := queueOutcome(outcomes, i)
		switch {
		case o.Ack:
			acked = append(acked, d.Receipt)
		case d.Attempts >= maxAttempts && c.DeadLetterQueue != "":
			c.Log.Warn(fmt.Sprintf("Moving message %q on queue %q to dead letter queue %q after %d failed attempt%s...", d.ID, c.Queue, c.DeadLetterQueue, maxAttempts, plural), slog.String("queue", c.Queue))
			dead = append(dead, d.Receipt)
		case d.Attempts >= maxAttempts:
			c.Log.Warn(fmt.Sprintf("Dropped message %q on queue %q after %d failed attempt%s!", d.ID, c.Queue, maxAttempts, plural), slog.String("queue", c.Queue))
			acked = append(acked, d.Receipt)
		default:
			delay := c.RetryDelay
			if o.DelaySeconds > 0 {
				delay = time.Duration(min(o.DelaySeconds, queue.MaxDelaySeconds)) * time.Second
			}
			c.Log.Debug(fmt.Sprintf("Retrying message %q on queue %q...", d.ID, c.Queue), slog.String("queue", c.Queue))
			retries[delay] = append(retries[delay], d.Receipt)
		}
	}
	succeeded := 0
	for _, o := range outcomes {
		if o.Ack {
			succeeded++
		}
	}
	record := func(what string, err error) {
		if err != nil {
			// The lease runs out and the messages come back: at least once.
			c.Log.Error(fmt.Sprintf("recording %s on queue %s: %v", what, c.Queue, err), slog.String("queue", c.Queue))
		}
	}
	record("acks", c.Backend.Ack(ctx, acked))
	for delay, rs := range retries {
		record("retries", c.Backend.Retry(ctx, rs, delay))
	}
	if len(dead) > 0 {
		record("dead letters", c.Backend.DeadLetter(ctx, dead, c.DeadLetterQueue))
	}
	c.Log.Info(fmt.Sprintf("QUEUE %s %d/%d (%v)", c.Queue, succeeded, len(ds), time.Since(start).Round(time.Millisecond)), slog.String("queue", c.Queue))
}

// queueOutcome is outcome i, or a retry when the Worker returned fewer (it
// failed before running the handler).
func queueOutcome(outcomes []core.MessageOutcome, i int) core.MessageOutcome {
	if i < len(outcomes) {
		return outcomes[i]
	}
	return core.MessageOutcome{Retry: true}
}

// keepLeased renews the batch's lease every third of Visibility until the
// returned stop is called.
func (c *Consumer) keepLeased(ctx context.Context, receipts []string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-c.Clock.After(c.Visibility / 3):
			}
			if err := c.Backend.Extend(ctx, receipts, c.Visibility); err != nil {
				c.Log.Warn(fmt.Sprintf("renewing the lease of a batch on queue %s: %v", c.Queue, err), slog.String("queue", c.Queue))
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
