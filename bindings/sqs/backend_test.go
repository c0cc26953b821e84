package sqs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/sqs"
)

// receive polls b until it leases n messages or 5 s pass.
func receive(t *testing.T, b *sqs.Backend, n int, lease time.Duration) []queue.Delivery {
	t.Helper()
	var out []queue.Delivery
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		ds, err := b.Receive(ctx, n-len(out), lease)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ds...)
		if len(ds) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(out) != n {
		t.Fatalf("received %d messages, want %d", len(out), n)
	}
	return out
}

func receipts(ds []queue.Delivery) []string {
	var r []string
	for _, d := range ds {
		r = append(r, d.Receipt)
	}
	return r
}

// TestBackend drives the consumer side as adapters/http.Consumer does:
// receive a batch, then ack, retry and dead-letter its messages.
func TestBackend(t *testing.T) {
	c := client(t)
	url := newQueue(t, c)
	dlqName := fmt.Sprintf("dlq-%d", queueSeq.Add(1))
	dlq, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(dlqName)})
	if err != nil {
		t.Fatal(err)
	}
	p := sqs.NewProducer(c, url)
	b := sqs.NewBackend(c, url)
	before := time.Now().Add(-time.Second)
	if err := p.SendBatch(ctx, []queue.Message{
		{Body: []byte("ack me"), ContentType: queue.Text},
		{Body: []byte(`{"retry":true}`), ContentType: queue.JSON},
		{Body: []byte{1, 2, 3}, ContentType: queue.Bytes},
	}); err != nil {
		t.Fatal(err)
	}
	pend, err := b.Pending(ctx, 2)
	if err != nil || pend.Visible != 2 || pend.OldestVisible.IsZero() {
		t.Fatalf("Pending(2) = %+v, %v", pend, err)
	}
	ds := receive(t, b, 3, 30*time.Second)
	byBody := map[string]queue.Delivery{}
	for _, d := range ds {
		byBody[string(d.Body)] = d
		if d.Attempts != 1 || d.Timestamp.Before(before) || d.ID == "" {
			t.Errorf("delivery %+v", d)
		}
	}
	ack, retry, dead := byBody["ack me"], byBody[`{"retry":true}`], byBody["\x01\x02\x03"]
	if ack.ContentType != queue.Text || retry.ContentType != queue.JSON || dead.ContentType != queue.Bytes {
		t.Fatalf("content types: %+v", ds)
	}
	if err := b.Ack(ctx, []string{ack.Receipt}); err != nil {
		t.Fatal(err)
	}
	if err := b.Retry(ctx, []string{retry.Receipt}, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.DeadLetter(ctx, []string{dead.Receipt}, dlqName); err != nil {
		t.Fatal(err)
	}
	// Acking again with a used receipt is not an error.
	if err := b.Ack(ctx, []string{ack.Receipt}); err != nil {
		t.Errorf("second ack: %v", err)
	}
	if ds, _ := b.Receive(ctx, 10, 30*time.Second); len(ds) != 0 {
		t.Fatalf("received %d messages before the retry delay", len(ds))
	}
	again := receive(t, b, 1, 30*time.Second)[0]
	if string(again.Body) != `{"retry":true}` || again.Attempts != 2 || again.ID != retry.ID {
		t.Errorf("retried delivery %+v", again)
	}
	if err := b.Ack(ctx, []string{again.Receipt}); err != nil {
		t.Fatal(err)
	}
	moved := receive(t, sqs.NewBackend(c, aws.ToString(dlq.QueueUrl)), 1, 30*time.Second)[0]
	if string(moved.Body) != "\x01\x02\x03" || moved.ID != dead.ID || !moved.Timestamp.Equal(dead.Timestamp) || moved.Attempts != 1 {
		t.Errorf("dead-lettered %+v, was %+v", moved, dead)
	}
	if pend, err := b.Pending(ctx, 10); err != nil || pend.Visible != 0 {
		t.Errorf("Pending at the end = %+v, %v", pend, err)
	}
}

// TestBackendExtend: an extended lease keeps the message hidden past its
// first visibility timeout; an expired one makes it visible again as
// another attempt.
func TestBackendExtend(t *testing.T) {
	c := client(t)
	url := newQueue(t, c)
	b := sqs.NewBackend(c, url)
	if err := sqs.NewProducer(c, url).Send(ctx, queue.Message{Body: []byte("x"), ContentType: queue.Text}); err != nil {
		t.Fatal(err)
	}
	d := receive(t, b, 1, time.Second)[0]
	if err := b.Extend(ctx, []string{d.Receipt}, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if ds, _ := b.Receive(ctx, 10, time.Second); len(ds) != 0 {
		t.Fatalf("an extended lease expired")
	}
	d2 := receive(t, b, 1, 30*time.Second)[0]
	if d2.ID != d.ID || d2.Attempts != 2 {
		t.Fatalf("redelivery %+v", d2)
	}
}
