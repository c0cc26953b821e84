package local_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/queue/queuetest"
)

func openStore(t *testing.T, dir string, now queue.Clock) *local.Store {
	t.Helper()
	st, err := local.Open(dir, local.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func storeQueues(t *testing.T, st *local.Store) queuetest.Queues {
	return func(name string) (queue.Producer, queue.Backend) {
		q, err := st.Queue(name)
		if err != nil {
			t.Fatal(err)
		}
		return q, q
	}
}

func TestQueueConformanceOnDisk(t *testing.T) {
	queuetest.Run(t, func(t *testing.T, now queue.Clock) queuetest.Queues {
		return storeQueues(t, openStore(t, t.TempDir(), now))
	})
}

func TestQueueConformanceInMemory(t *testing.T) {
	queuetest.Run(t, func(t *testing.T, now queue.Clock) queuetest.Queues {
		return storeQueues(t, openStore(t, "", now))
	})
}

func mustQueue(t *testing.T, st *local.Store, name string) *local.Queue {
	t.Helper()
	q, err := st.Queue(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestQueueRestartReleasesLeases is the crash case at the store level: a
// process leases a batch and dies without closing anything; the next process
// to open the state directory gets the batch at once, not after the lease
// expires, with the lost delivery counted.
func TestQueueRestartReleasesLeases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := queuetest.NewClock(queuetest.Start)

	first, err := local.Open(dir, local.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	q := mustQueue(t, first, "jobs")
	for i := range 3 {
		if err := q.Send(ctx, queue.Message{Body: []byte(fmt.Sprint(i)), ContentType: queue.Text}); err != nil {
			t.Fatal(err)
		}
	}
	leased, err := q.Receive(ctx, 2, time.Hour)
	if err != nil || len(leased) != 2 {
		t.Fatalf("Receive = %d, %v", len(leased), err)
	}
	// A second process running at the same time must not steal the lease.
	second := openStore(t, dir, clock.Now)
	if got, _ := mustQueue(t, second, "jobs").Receive(ctx, 10, time.Hour); len(got) != 1 || string(got[0].Body) != "2" {
		t.Fatalf("a concurrent opener received %d messages; leases of a live process must hold", len(got))
	}
	second.Close()

	// "Crash": the first store's lock goes away as the kernel would drop it;
	// its leases stay in the database.
	first.Close()

	third := openStore(t, dir, clock.Now)
	got, err := mustQueue(t, third, "jobs").Receive(ctx, 10, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("after a restart got %d messages, want the 2 abandoned by the first run and 1 by the second", len(got))
	}
	for _, d := range got {
		if d.Attempts != 2 {
			t.Errorf("message %s: attempts %d, want 2 (the lost delivery counts)", d.Body, d.Attempts)
		}
	}
}

func TestQueuePersistsAcrossOpens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := queuetest.NewClock(queuetest.Start)
	st, err := local.Open(dir, local.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	q := mustQueue(t, st, "jobs")
	d := 30
	if err := q.SendBatch(ctx, []queue.Message{
		{Body: []byte(`{"n":1}`), ContentType: queue.JSON},
		{Body: []byte("later"), ContentType: queue.Text, DelaySeconds: &d},
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	q = mustQueue(t, openStore(t, dir, clock.Now), "jobs")
	got, _ := q.Receive(ctx, 10, time.Minute)
	if len(got) != 1 || string(got[0].Body) != `{"n":1}` || got[0].ContentType != queue.JSON {
		t.Fatalf("after reopening: %+v", got)
	}
	clock.Advance(30 * time.Second)
	got, _ = q.Receive(ctx, 10, time.Minute)
	if len(got) != 1 || string(got[0].Body) != "later" {
		t.Fatalf("the delayed message after reopening: %+v", got)
	}
}

func TestQueueChangedSignalsSends(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t, openStore(t, "", time.Now), "jobs")
	ch := q.Changed()
	select {
	case <-ch:
		t.Fatal("signalled before any send")
	default:
	}
	if err := q.Send(ctx, queue.Message{Body: []byte("x"), ContentType: queue.Text}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatal("a send did not signal Changed")
	}
}

func TestQueueStats(t *testing.T) {
	ctx := context.Background()
	clock := queuetest.NewClock(queuetest.Start)
	st := openStore(t, "", clock.Now)
	if got, err := st.QueueStats(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	jobs, other := mustQueue(t, st, "jobs"), mustQueue(t, st, "other")
	d := 60
	for _, m := range []queue.Message{
		{Body: []byte("1"), ContentType: queue.Text},
		{Body: []byte("2"), ContentType: queue.Text},
		{Body: []byte("3"), ContentType: queue.Text},
		{Body: []byte("later"), ContentType: queue.Text, DelaySeconds: &d},
	} {
		if err := jobs.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Send(ctx, queue.Message{Body: []byte("x"), ContentType: queue.Text}); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Receive(ctx, 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := st.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []local.QueueStats{{Queue: "jobs", Ready: 2, Delayed: 1, Leased: 1}, {Queue: "other", Ready: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("QueueStats = %+v, want %+v", got, want)
	}
}
