// Package queuetest is the conformance suite for queue.Producer and
// queue.Backend implementations: every implementation (local SQLite, remote
// services) runs the same tests, so a Worker's queues behave the same on every
// host.
//
// Use it from the implementation's tests:
//
//	func TestConformance(t *testing.T) {
//		queuetest.Run(t, func(t *testing.T, now queue.Clock) queuetest.Queues {
//			st := openEmptyStore(t, now)
//			return func(name string) (queue.Producer, queue.Backend) { q := st.Queue(name); return q, q }
//		})
//	}
//
// open must return empty queues whose notion of time is now (the suite moves
// it to test delays and lease expiry), cleaned up when t ends.
package queuetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/internal/testutil"
)

// Queues returns the producer and consumer sides of the queue called name.
type Queues func(name string) (queue.Producer, queue.Backend)

// Clock is a fake clock (testutil.Clock: Now, Advance).
type Clock = testutil.Clock

// NewClock returns a clock stopped at start.
func NewClock(start time.Time) *Clock { return testutil.NewClock(start) }

// Start is where each test's clock starts (a whole millisecond, as message
// timestamps are).
var Start = time.UnixMilli(1_700_000_000_123)

// Visibility is the lease length the suite asks for.
const Visibility = 30 * time.Second

// Run runs the conformance suite against the queues open returns.
func Run(t *testing.T, open func(t *testing.T, now queue.Clock) Queues) {
	RunOnly(t, open)
}

// RunOnly runs the named tests of the suite (all when names is empty): for
// a remote service whose delays and leases run on real time, which the
// suite's fake clock cannot move, run the tests that do not move it.
func RunOnly(t *testing.T, open func(t *testing.T, now queue.Clock) Queues, names ...string) {
	tests := []struct {
		name string
		fn   func(t *testing.T, q Queues, c *Clock)
	}{
		{"SendReceiveAck", testSendReceiveAck},
		{"ContentTypes", testContentTypes},
		{"SendBatchOrderAndMax", testBatchOrder},
		{"Delay", testDelay},
		{"DeliveryDelay", testDeliveryDelay},
		{"LeaseExpiryRedelivers", testLeaseExpiry},
		{"Extend", testExtend},
		{"Retry", testRetry},
		{"DeadLetter", testDeadLetter},
		{"Pending", testPending},
		{"QueuesAreSeparate", testSeparate},
		{"SendLimits", testSendLimits},
		{"BatchLimits", testBatchLimits},
		{"ConcurrentReceivers", testConcurrentReceivers},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		if len(names) > 0 && !slices.Contains(names, tc.name) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(Start)
			tc.fn(t, open(t, c.Now), c)
		})
	}
}

var ctx = context.Background()

func msg(body string) queue.Message {
	return queue.Message{Body: []byte(body), ContentType: queue.Text}
}

func seconds(n int) *int { return &n }

func receive(t *testing.T, b queue.Backend, max int) []queue.Delivery {
	t.Helper()
	ds, err := b.Receive(ctx, max, Visibility)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	return ds
}

func bodies(ds []queue.Delivery) string {
	var s []string
	for _, d := range ds {
		s = append(s, string(d.Body))
	}
	return strings.Join(s, ",")
}

func receipts(ds []queue.Delivery) []string {
	var r []string
	for _, d := range ds {
		r = append(r, d.Receipt)
	}
	return r
}

func send(t *testing.T, p queue.Producer, ms ...queue.Message) {
	t.Helper()
	for _, m := range ms {
		if err := p.Send(ctx, m); err != nil {
			t.Fatalf("Send(%q): %v", m.Body, err)
		}
	}
}

func testSendReceiveAck(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("jobs")
	send(t, p, msg("a"))
	c.Advance(time.Second)
	send(t, p, msg("b"))
	ds := receive(t, b, 10)
	if bodies(ds) != "a,b" {
		t.Fatalf("received %q, want a,b", bodies(ds))
	}
	for i, d := range ds {
		if d.ID == "" || d.Receipt == "" || d.Attempts != 1 || d.ContentType != queue.Text {
			t.Errorf("delivery %d = %+v", i, d)
		}
		if want := Start.Add(time.Duration(i) * time.Second); !d.Timestamp.Equal(want) {
			t.Errorf("delivery %d timestamp %v, want %v (when it was sent)", i, d.Timestamp, want)
		}
	}
	if ds[0].ID == ds[1].ID {
		t.Errorf("two messages share the id %q", ds[0].ID)
	}
	if again := receive(t, b, 10); len(again) != 0 {
		t.Fatalf("leased messages were delivered again at once: %q", bodies(again))
	}
	if err := b.Ack(ctx, receipts(ds)); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * Visibility)
	if again := receive(t, b, 10); len(again) != 0 {
		t.Fatalf("acked messages came back: %q", bodies(again))
	}
	if err := b.Ack(ctx, receipts(ds)); err != nil {
		t.Errorf("acking twice: %v", err)
	}
}

func testContentTypes(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("types")
	in := []queue.Message{
		{Body: []byte("héllo"), ContentType: queue.Text},
		{Body: []byte(`{"a":[1,2]}`), ContentType: queue.JSON},
		{Body: []byte{0, 1, 2, 255}, ContentType: queue.Bytes},
		{Body: []byte{0xff, 0x0f, 'T', 1}, ContentType: queue.V8},
		{Body: []byte{}, ContentType: queue.Text},
	}
	send(t, p, in...)
	ds := receive(t, b, 10)
	if len(ds) != len(in) {
		t.Fatalf("received %d messages, want %d", len(ds), len(in))
	}
	for i, d := range ds {
		if !bytes.Equal(d.Body, in[i].Body) || d.Body == nil || d.ContentType != in[i].ContentType {
			t.Errorf("message %d: got %q (%s), want %q (%s)", i, d.Body, d.ContentType, in[i].Body, in[i].ContentType)
		}
	}
}

func testBatchOrder(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("batch")
	var batch []queue.Message
	for i := range 5 {
		batch = append(batch, msg(fmt.Sprint(i)))
	}
	if err := p.SendBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	send(t, p, msg("5"))
	if got := bodies(receive(t, b, 3)); got != "0,1,2" {
		t.Errorf("first batch %q, want 0,1,2", got)
	}
	if got := bodies(receive(t, b, 100)); got != "3,4,5" {
		t.Errorf("second batch %q, want 3,4,5", got)
	}
}

func testDelay(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("delay")
	m := msg("later")
	m.DelaySeconds = seconds(10)
	send(t, p, m, msg("now"))
	if got := bodies(receive(t, b, 10)); got != "now" {
		t.Fatalf("received %q, want only the undelayed message", got)
	}
	c.Advance(9 * time.Second)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("a 10 s delay delivered after 9 s: %q", bodies(got))
	}
	c.Advance(time.Second)
	if got := bodies(receive(t, b, 10)); got != "later" {
		t.Fatalf("after the delay: %q", got)
	}
	// Batch messages keep their own delays.
	d1, d0 := msg("d1"), msg("d0")
	d1.DelaySeconds, d0.DelaySeconds = seconds(1), seconds(0)
	if err := p.SendBatch(ctx, []queue.Message{d1, d0}); err != nil {
		t.Fatal(err)
	}
	if got := bodies(receive(t, b, 10)); got != "d0" {
		t.Fatalf("batch with delays: %q", got)
	}
	c.Advance(time.Second)
	if got := bodies(receive(t, b, 10)); got != "d1" {
		t.Fatalf("batch with delays, 1 s later: %q", got)
	}
}

func testDeliveryDelay(t *testing.T, qs Queues, c *Clock) {
	raw, b := qs("delivery-delay")
	p := queue.WithDeliveryDelay(raw, 5)
	own := msg("own")
	own.DelaySeconds = seconds(0)
	send(t, p, msg("default"), own)
	if got := bodies(receive(t, b, 10)); got != "own" {
		t.Fatalf("received %q: a message's own delay (0) wins over delivery_delay", got)
	}
	c.Advance(5 * time.Second)
	if got := bodies(receive(t, b, 10)); got != "default" {
		t.Fatalf("after delivery_delay: %q", got)
	}
}

func testLeaseExpiry(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("lease")
	send(t, p, msg("x"))
	first := receive(t, b, 10)
	c.Advance(Visibility - time.Millisecond)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("delivered again while leased: %q", bodies(got))
	}
	c.Advance(time.Millisecond)
	second := receive(t, b, 10)
	if bodies(second) != "x" || second[0].Attempts != 2 || second[0].ID != first[0].ID {
		t.Fatalf("after the lease expired: %+v", second)
	}
	// The first consumer's receipt is stale: its ack must not remove the
	// message the second consumer now holds.
	if err := b.Ack(ctx, receipts(first)); err != nil {
		t.Fatal(err)
	}
	if err := b.Retry(ctx, receipts(first), 0); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("a stale receipt released the message: %q", bodies(got))
	}
	c.Advance(Visibility)
	third := receive(t, b, 10)
	if bodies(third) != "x" || third[0].Attempts != 3 {
		t.Fatalf("a stale ack removed the message: %+v", third)
	}
}

func testExtend(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("extend")
	send(t, p, msg("x"))
	ds := receive(t, b, 10)
	c.Advance(Visibility / 2)
	if err := b.Extend(ctx, receipts(ds), Visibility); err != nil {
		t.Fatal(err)
	}
	c.Advance(Visibility - time.Millisecond)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("an extended lease expired early: %q", bodies(got))
	}
	if err := b.Ack(ctx, receipts(ds)); err != nil {
		t.Fatal(err)
	}
	c.Advance(Visibility)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("acked after extending, yet delivered: %q", bodies(got))
	}
}

func testRetry(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("retry")
	send(t, p, msg("now"), msg("later"))
	ds := receive(t, b, 10)
	if err := b.Retry(ctx, receipts(ds[:1]), 0); err != nil {
		t.Fatal(err)
	}
	if err := b.Retry(ctx, receipts(ds[1:]), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	got := receive(t, b, 10)
	if bodies(got) != "now" || got[0].Attempts != 2 {
		t.Fatalf("retry without delay: %+v", got)
	}
	c.Advance(5*time.Second - time.Millisecond)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("retry with 5 s delay came back early: %q", bodies(got))
	}
	c.Advance(time.Millisecond)
	got = receive(t, b, 10)
	if bodies(got) != "later" || got[0].Attempts != 2 || got[0].ID != ds[1].ID || !got[0].Timestamp.Equal(ds[1].Timestamp) {
		t.Fatalf("retry with delay: %+v", got)
	}
}

func testDeadLetter(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("work")
	_, dlq := qs("work-dlq")
	send(t, p, msg("poison"), msg("fine"))
	ds := receive(t, b, 10)
	if err := b.DeadLetter(ctx, receipts(ds[:1]), "work-dlq"); err != nil {
		t.Fatal(err)
	}
	if err := b.Ack(ctx, receipts(ds[1:])); err != nil {
		t.Fatal(err)
	}
	c.Advance(2 * Visibility)
	if got := receive(t, b, 10); len(got) != 0 {
		t.Fatalf("dead-lettered message still in its queue: %q", bodies(got))
	}
	got := receive(t, dlq, 10)
	if len(got) != 1 {
		t.Fatalf("dead-letter queue holds %q", bodies(got))
	}
	d := got[0]
	if string(d.Body) != "poison" || d.ID != ds[0].ID || !d.Timestamp.Equal(ds[0].Timestamp) || d.Attempts != 1 || d.ContentType != queue.Text {
		t.Errorf("dead-lettered message = %+v, want the original with attempts starting over", d)
	}
}

func testPending(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("pending")
	pend := func() queue.Pending {
		t.Helper()
		pd, err := b.Pending(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		return pd
	}
	if pd := pend(); pd != (queue.Pending{}) {
		t.Fatalf("empty queue: %+v", pd)
	}
	d := msg("delayed")
	d.DelaySeconds = seconds(60)
	send(t, p, d)
	if pd := pend(); pd.Visible != 0 || !pd.OldestVisible.IsZero() || !pd.NextVisible.Equal(Start.Add(time.Minute)) {
		t.Fatalf("one delayed message: %+v", pd)
	}
	send(t, p, msg("a"))
	c.Advance(time.Second)
	send(t, p, msg("b"), msg("c"), msg("d"))
	if pd := pend(); pd.Visible != 3 || !pd.OldestVisible.Equal(Start) || !pd.NextVisible.Equal(Start.Add(time.Minute)) {
		t.Fatalf("four ready, counted up to 3, one delayed: %+v", pd)
	}
	receive(t, b, 4)
	pd := pend()
	if pd.Visible != 0 || !pd.NextVisible.Equal(c.Now().Add(Visibility)) {
		t.Fatalf("all ready ones leased: %+v (the next to become visible is a lease expiring at %v)", pd, c.Now().Add(Visibility))
	}
}

func testSeparate(t *testing.T, qs Queues, c *Clock) {
	pa, ba := qs("a")
	pb, bb := qs("b")
	send(t, pa, msg("for a"))
	send(t, pb, msg("for b"))
	if got := bodies(receive(t, ba, 10)); got != "for a" {
		t.Errorf("queue a: %q", got)
	}
	if got := bodies(receive(t, bb, 10)); got != "for b" {
		t.Errorf("queue b: %q", got)
	}
}

func wantError(t *testing.T, err error, want string, typeError bool) {
	t.Helper()
	var qe *queue.Error
	if !errors.As(err, &qe) {
		t.Fatalf("error %v (%T), want a *queue.Error %q", err, err, want)
	}
	if qe.Error() != want || qe.TypeError != typeError {
		t.Fatalf("error %q (TypeError %v), want %q (TypeError %v)", qe.Error(), qe.TypeError, want, typeError)
	}
}

func testSendLimits(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("limits")
	big := queue.Message{Body: make([]byte, queue.MaxMessageSize), ContentType: queue.Bytes}
	send(t, p, big)
	big.Body = append(big.Body, 0)
	wantError(t, p.Send(ctx, big), "Queue send failed: message length of 128001 bytes exceeds limit of 128000", false)
	long := msg("x")
	long.DelaySeconds = seconds(queue.MaxDelaySeconds)
	send(t, p, long)
	long.DelaySeconds = seconds(queue.MaxDelaySeconds + 1)
	wantError(t, p.Send(ctx, long), "Queue send failed: message delay 43201 is invalid: it must be a whole number of seconds from 0 to 43200", false)
	long.DelaySeconds = seconds(-1)
	wantError(t, p.Send(ctx, long), "Queue send failed: message delay -1 is invalid: it must be a whole number of seconds from 0 to 43200", false)
	wantError(t, p.Send(ctx, queue.Message{Body: []byte("x"), ContentType: "xml"}), "Unsupported queue message content type: xml", true)
	if got := receive(t, b, 10); len(got) != 1 || len(got[0].Body) != queue.MaxMessageSize {
		t.Fatalf("only the largest allowed message should be stored, got %d messages", len(got))
	}
}

func testBatchLimits(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("batch-limits")
	n := func(count, size int) []queue.Message {
		out := make([]queue.Message, count)
		for i := range out {
			out[i] = queue.Message{Body: make([]byte, size), ContentType: queue.Bytes}
		}
		return out
	}
	wantError(t, p.SendBatch(ctx, nil), "sendBatch() requires at least one message", true)
	wantError(t, p.SendBatch(ctx, n(101, 1)), "Queue sendBatch failed: batch message count of 101 exceeds limit of 100", false)
	wantError(t, p.SendBatch(ctx, append(n(2, 10), n(1, queue.MaxMessageSize+1)...)), "Queue sendBatch failed: message in batch has length 128001 bytes which exceeds single message size limit of 128000", false)
	wantError(t, p.SendBatch(ctx, n(3, 96_001)), "Queue sendBatch failed: batch size of 288003 bytes exceeds limit of 288000", false)
	bad := n(2, 1)
	bad[1].DelaySeconds = seconds(queue.MaxDelaySeconds + 1)
	wantError(t, p.SendBatch(ctx, bad), "Queue sendBatch failed: message delay 43201 is invalid: it must be a whole number of seconds from 0 to 43200", false)
	if got := receive(t, b, 100); len(got) != 0 {
		t.Fatalf("a rejected batch stored %d messages", len(got))
	}
	if err := p.SendBatch(ctx, n(100, 2880)); err != nil {
		t.Fatalf("100 messages of 2,880 bytes (288,000 in all): %v", err)
	}
	if got := receive(t, b, 100); len(got) != 100 {
		t.Fatalf("received %d of a 100-message batch", len(got))
	}
}

func testConcurrentReceivers(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("concurrent")
	const total = 60
	for i := 0; i < total; i += 20 {
		var batch []queue.Message
		for j := i; j < i+20; j++ {
			batch = append(batch, msg(fmt.Sprint(j)))
		}
		if err := p.SendBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ds, err := b.Receive(ctx, 7, Visibility)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[string(d.Body)]++
				}
				mu.Unlock()
				if err := b.Ack(ctx, receipts(ds)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != total {
		t.Fatalf("received %d distinct messages of %d", len(seen), total)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("message %s delivered %d times while leased", body, n)
		}
	}
}

func testCancelled(t *testing.T, qs Queues, c *Clock) {
	p, b := qs("cancelled")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Send(cctx, msg("x")); err == nil {
		t.Error("Send with a cancelled context succeeded")
	}
	if _, err := b.Receive(cctx, 1, Visibility); err == nil {
		t.Error("Receive with a cancelled context succeeded")
	}
}
