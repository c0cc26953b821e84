package httpadapter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
)

// manualClock is a fake clock whose After channels fire when Advance passes
// them. Unlike fakeClock it never blocks a caller: the consumer registers a
// new wait on every pass of its loop.
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	return ch
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// recorder is a slog handler keeping every message.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, rec.Level.String()+" "+rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) matching(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if s, ok := strings.CutPrefix(l, prefix); ok {
			out = append(out, s)
		}
	}
	return out
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// consumerWorker logs each batch it gets as one JSON console line,
// {"queue", "got": [[id, attempts], ...]}, and does what each message's body
// says: {"id", "do": "ack" | "retry" | "retry60" | "throw" | "sleep"}.
const consumerWorker = `
export default {
  async queue(batch, env, ctx) {
    console.log(JSON.stringify({ queue: batch.queue, got: batch.messages.map((m) => [m.body.id, m.attempts]) }));
    for (const m of batch.messages) {
      switch (m.body.do) {
        case "ack": m.ack(); break;
        case "retry": m.retry(); break;
        case "retry60": m.retry({ delaySeconds: 60 }); break;
        case "sleep": await new Promise((r) => setTimeout(r, 300)); break;
      }
    }
    if (batch.messages.some((m) => m.body.do === "throw")) throw new Error("the batch failed");
  },
};`

type consumerEnv struct {
	t      *testing.T
	clock  *manualClock
	store  *local.Store
	logs   *recorder
	worker *core.Worker
}

func newConsumerEnv(t *testing.T) *consumerEnv {
	t.Helper()
	e := &consumerEnv{t: t, clock: &manualClock{now: time.UnixMilli(1_700_000_000_000)}, logs: &recorder{}}
	st, err := local.Open("", local.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	dir := t.TempDir()
	entry := filepath.Join(dir, "index.js")
	if err := os.WriteFile(entry, []byte(consumerWorker), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if e.worker, err = core.New(core.Options{Bundle: b, Runtimes: 1, Log: slog.New(e.logs)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.worker.Close)
	return e
}

func (e *consumerEnv) queue(name string) *local.Queue {
	q, err := e.store.Queue(name)
	if err != nil {
		e.t.Fatal(err)
	}
	return q
}

// start runs c on the env's queue until the test ends.
func (e *consumerEnv) start(c *httpadapter.Consumer) {
	c.Backend = e.queue(c.Queue)
	c.Clock = e.clock
	c.Log = slog.New(e.logs)
	c.Worker = func() (*core.Worker, func()) { return e.worker, func() {} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

func (e *consumerEnv) send(name string, bodies ...string) {
	e.t.Helper()
	var msgs []queue.Message
	for _, b := range bodies {
		msgs = append(msgs, queue.Message{Body: []byte(b), ContentType: queue.JSON})
	}
	if err := e.queue(name).SendBatch(context.Background(), msgs); err != nil {
		e.t.Fatal(err)
	}
}

func job(id, do string) string { return fmt.Sprintf(`{"id":%q,"do":%q}`, id, do) }

// batches returns the batches delivered from queue so far, each as
// "id/attempts id/attempts".
func (e *consumerEnv) batches(name string) []string {
	var out []string
	for _, line := range e.logs.matching("INFO {") {
		var b struct {
			Queue string
			Got   [][]any
		}
		if err := json.Unmarshal([]byte("{"+line), &b); err != nil || b.Queue != name {
			continue
		}
		var ms []string
		for _, g := range b.Got {
			ms = append(ms, fmt.Sprintf("%v/%v", g[0], g[1]))
		}
		out = append(out, strings.Join(ms, " "))
	}
	return out
}

// waitBatches waits (in real time) until queue has had want batches.
func (e *consumerEnv) waitBatches(name string, want ...string) {
	e.t.Helper()
	if !eventually(func() bool { return len(e.batches(name)) >= len(want) }) || !slices.Equal(e.batches(name), want) {
		e.t.Fatalf("batches on %s = %q, want %q\nlog:\n%s", name, e.batches(name), want, e.logs)
	}
}

// quiet checks that queue gets no further batch for a moment.
func (e *consumerEnv) quiet(name string, n int) {
	e.t.Helper()
	time.Sleep(100 * time.Millisecond)
	if got := e.batches(name); len(got) != n {
		e.t.Fatalf("batches on %s = %q, want only %d\nlog:\n%s", name, got, n, e.logs)
	}
}

// advanceUntil moves the clock a second at a time until queue has had n
// batches, and returns how far it moved.
func (e *consumerEnv) advanceUntil(name string, n int, limit time.Duration) time.Duration {
	e.t.Helper()
	var moved time.Duration
	for moved < limit {
		if eventuallyFor(20*time.Millisecond, func() bool { return len(e.batches(name)) >= n }) {
			return moved
		}
		e.clock.Advance(time.Second)
		moved += time.Second
	}
	e.t.Fatalf("no batch %d on %s within %v of fake time; batches %q\nlog:\n%s", n, name, limit, e.batches(name), e.logs)
	return 0
}

func eventuallyFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestConsumerBatchesBySizeThenTimeout(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 3, MaxBatchTimeout: 10 * time.Second, MaxRetries: 3})
	e.send("jobs", job("a", ""), job("b", ""), job("c", ""), job("d", ""), job("e", ""), job("f", ""), job("g", ""))
	e.waitBatches("jobs", "a/1 b/1 c/1", "d/1 e/1 f/1")
	e.quiet("jobs", 2) // g waits for its batch to fill or time out
	if moved := e.advanceUntil("jobs", 3, time.Minute); moved != 10*time.Second {
		t.Errorf("a lone message went out after %v, want max_batch_timeout (10s)", moved)
	}
	e.waitBatches("jobs", "a/1 b/1 c/1", "d/1 e/1 f/1", "g/1")
	// Acked: nothing comes back once leases would have expired.
	e.clock.Advance(time.Hour)
	e.quiet("jobs", 3)
	if got := e.logs.matching("INFO QUEUE jobs "); len(got) != 3 || !strings.HasPrefix(got[0], "3/3 (") || !strings.HasPrefix(got[2], "1/1 (") {
		t.Errorf("QUEUE log lines = %q", got)
	}
}

func TestConsumerTimeoutZeroDeliversAtOnce(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 100, MaxBatchTimeout: 0})
	e.send("jobs", job("a", ""))
	e.waitBatches("jobs", "a/1")
}

func TestConsumerRetriesThenDeadLetters(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 10, MaxRetries: 2, DeadLetterQueue: "jobs-dlq"})
	e.start(&httpadapter.Consumer{Queue: "jobs-dlq", MaxBatchSize: 10})
	e.send("jobs", job("bad", "retry"), job("good", "ack"))
	// max_retries 2: three deliveries, then the dead-letter queue, where
	// attempts start over.
	e.waitBatches("jobs", "bad/1 good/1", "bad/2", "bad/3")
	e.waitBatches("jobs-dlq", "bad/1")
	e.quiet("jobs", 3)
	warn := e.logs.matching(`WARN Moving message`)
	if len(warn) != 1 || !strings.Contains(warn[0], `on queue "jobs" to dead letter queue "jobs-dlq" after 3 failed attempts`) {
		t.Errorf("warnings = %q", warn)
	}
}

func TestConsumerDropsWithoutDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 10, MaxRetries: 0})
	e.send("jobs", job("bad", "throw"))
	e.waitBatches("jobs", "bad/1")
	e.clock.Advance(time.Hour)
	e.quiet("jobs", 1)
	if warn := e.logs.matching("WARN "); len(warn) != 1 || !strings.Contains(warn[0], `Dropped message`) || !strings.Contains(warn[0], `after 1 failed attempt!`) {
		t.Errorf("warnings = %q", warn)
	}
	if errs := e.logs.matching("ERROR queue event failed: "); len(errs) != 1 || !strings.Contains(errs[0], "the batch failed") {
		t.Errorf("errors = %q", errs)
	}
}

func TestConsumerThrowRetriesAllButExplicitAcks(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 10, MaxRetries: 1})
	e.send("jobs", job("acked", "ack"), job("thrower", "throw"), job("plain", ""))
	e.waitBatches("jobs", "acked/1 thrower/1 plain/1", "thrower/2 plain/2")
}

func TestConsumerRetryDelays(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 10, MaxRetries: 5, RetryDelay: 30 * time.Second})
	e.send("jobs", job("consumer-delay", "retry"))
	e.waitBatches("jobs", "consumer-delay/1")
	if moved := e.advanceUntil("jobs", 2, time.Minute); moved != 30*time.Second {
		t.Errorf("redelivered after %v, want retry_delay (30s)", moved)
	}
	e.send("jobs", job("own-delay", "retry60"))
	// The first message keeps retrying every 30s; the second waits 60s.
	start := e.clock.Now()
	for len(e.batches("jobs")) < 10 {
		e.advanceUntil("jobs", len(e.batches("jobs"))+1, 2*time.Minute)
		for _, b := range e.batches("jobs") {
			if strings.Contains(b, "own-delay/2") {
				if d := e.clock.Now().Sub(start); d < 60*time.Second {
					t.Fatalf("msg.retry({delaySeconds: 60}) came back after %v", d)
				}
				return
			}
		}
	}
	t.Fatalf("own-delay never came back: %q", e.batches("jobs"))
}

// TestConsumerAcksOnlyAfterTheHandlerSettles: while the handler awaits, the
// lease is renewed (the batch is not handed out again however long it runs)
// and nothing is acked; after it settles, the message is gone.
func TestConsumerAcksOnlyAfterTheHandlerSettles(t *testing.T) {
	t.Parallel()
	e := newConsumerEnv(t)
	e.start(&httpadapter.Consumer{Queue: "jobs", MaxBatchSize: 1, Visibility: 30 * time.Second})
	e.send("jobs", job("slow", "sleep"))
	e.waitBatches("jobs", "slow/1")
	// The handler sleeps 300 ms of real time; meanwhile two minutes of fake
	// time pass, four lease lengths.
	for range 12 {
		e.clock.Advance(10 * time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	if p, _ := e.queue("jobs").Pending(context.Background(), 10); p.Visible != 0 || len(e.logs.matching("INFO QUEUE")) != 0 {
		t.Fatalf("while the handler runs the message must stay leased and unacked; pending %+v, log:\n%s", p, e.logs)
	}
	if !eventually(func() bool { return len(e.logs.matching("INFO QUEUE jobs 1/1")) == 1 }) {
		t.Fatalf("the batch did not finish:\n%s", e.logs)
	}
	e.clock.Advance(time.Hour)
	e.quiet("jobs", 1)
	p, err := e.queue("jobs").Pending(context.Background(), 10)
	if err != nil || p != (queue.Pending{}) {
		t.Fatalf("after the ack the queue holds %+v, %v", p, err)
	}
}

func TestHoldKeepsASwappedWorkerOpen(t *testing.T) {
	t.Parallel()
	h := &httpadapter.Handler{}
	if w, release := h.Hold(); w != nil {
		t.Fatal("Hold before any Swap returned a Worker")
	} else {
		release()
	}
	v1 := buildSource(t, `export default { async queue(batch) { await new Promise(r => setTimeout(r, 100)); batch.ackAll(); } }`)
	h.Swap(v1)
	w, release := h.Hold()
	h.Swap(buildSource(t, `export default { queue() {} }`))
	defer h.Close()
	out, err := w.Queue(context.Background(), "q", []core.QueueMessage{{ID: "1", Body: []byte("1"), ContentType: "json", Attempts: 1}})
	release()
	if err != nil || len(out) != 1 || !out[0].Ack {
		t.Fatalf("a held Worker failed after a swap: %v %+v", err, out)
	}
}
