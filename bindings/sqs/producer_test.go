package sqs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/sqs"
	"github.com/ferry-run/ferry/internal/testutil"
)

var ctx = context.Background()

// client returns an SQS client for the shared moto_server.
func client(t *testing.T) *awssqs.Client {
	t.Helper()
	url := testutil.Moto(t)
	return awssqs.New(awssqs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	})
}

var queueSeq atomic.Int64

// newQueue creates a queue named after the test and returns its URL.
func newQueue(t *testing.T, c *awssqs.Client) string {
	t.Helper()
	name := strings.NewReplacer("/", "-", "#", "-", " ", "_").Replace(t.Name())
	name = fmt.Sprintf("%.60s-%d", name, queueSeq.Add(1))
	out, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

type received struct {
	msg   types.Message
	attrs map[string]string
	dec   sqs.Decoded
}

// receiveAll receives until n messages came or 5 s passed, deleting them.
func receiveAll(t *testing.T, c *awssqs.Client, url string, n int) []received {
	t.Helper()
	var out []received
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		res, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Messages {
			attrs := map[string]string{}
			for k, v := range m.MessageAttributes {
				attrs[k] = aws.ToString(v.StringValue)
			}
			d, err := sqs.Decode(aws.ToString(m.Body), attrs)
			if err != nil {
				t.Fatalf("Decode(%q, %v): %v", aws.ToString(m.Body), attrs, err)
			}
			out = append(out, received{m, attrs, d})
			c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
		}
	}
	if len(out) != n {
		t.Fatalf("received %d messages, want %d", len(out), n)
	}
	return out
}

func seconds(n int) *int { return &n }

// TestSendContentTypes sends a body of each content type and reads back what
// the Worker would see, through Decode.
func TestSendContentTypes(t *testing.T) {
	c := client(t)
	url := newQueue(t, c)
	p := sqs.NewProducer(c, url)
	msgs := []queue.Message{
		{Body: []byte("plain text ✓"), ContentType: queue.Text},
		{Body: []byte(`{"a":[1,2]}`), ContentType: queue.JSON},
		{Body: []byte{0, 1, 2, 0xfa, 0xff}, ContentType: queue.Bytes},
		{Body: []byte{0xff, 0x0f, 0x6f, 0x22, 0x01, 0x78}, ContentType: queue.V8},
		// Characters SQS refuses in a body travel as base64.
		{Body: []byte("nul \x00 and \x01 and \uffff"), ContentType: queue.Text},
	}
	for _, m := range msgs {
		if err := p.Send(ctx, m); err != nil {
			t.Fatalf("Send(%q): %v", m.Body, err)
		}
	}
	got := receiveAll(t, c, url, len(msgs))
	for _, m := range msgs {
		found := false
		for _, r := range got {
			if r.dec.ContentType == m.ContentType && bytes.Equal(r.dec.Body, m.Body) {
				found = true
			}
		}
		if !found {
			t.Errorf("message %s %q did not come back; got %+v", m.ContentType, m.Body, got)
		}
	}
	for _, r := range got {
		if r.attrs[sqs.AttrContentType] == "text" && r.attrs[sqs.AttrEncoding] == "" && aws.ToString(r.msg.Body) != "plain text ✓" {
			t.Errorf("text body %q without base64", aws.ToString(r.msg.Body))
		}
	}
}

// TestDecodeForeignMessages: a message from another producer is text as it
// is; bad attributes fail naming the attribute.
func TestDecode(t *testing.T) {
	d, err := sqs.Decode("hello", nil)
	if err != nil || d.ContentType != queue.Text || string(d.Body) != "hello" {
		t.Fatalf("no attributes: %+v %v", d, err)
	}
	for _, tc := range []struct {
		body  string
		attrs map[string]string
		want  string
	}{
		{"x", map[string]string{sqs.AttrContentType: "xml"}, `unknown ferry-content-type "xml"`},
		{"!!", map[string]string{sqs.AttrContentType: "bytes"}, "not base64"},
		{"!!", map[string]string{sqs.AttrContentType: "v8"}, "not base64"},
		{"{", map[string]string{sqs.AttrContentType: "json"}, "not JSON"},
		{"x", map[string]string{sqs.AttrEncoding: "hex"}, `unknown ferry-encoding "hex"`},
		{"x", map[string]string{sqs.AttrDeliverAt: "soon"}, "ferry-deliver-at"},
	} {
		if _, err := sqs.Decode(tc.body, tc.attrs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%q, %v) = %v, want %q", tc.body, tc.attrs, err, tc.want)
		}
	}
}

// TestSendBatchChunks sends Cloudflare's largest batch by count (100
// messages, 10 SQS calls) and by bytes (288,000), and two 128,000-byte
// bytes messages, which as base64 exceed one SQS call's 256 KiB.
func TestSendBatchChunks(t *testing.T) {
	c := client(t)
	for _, tc := range []struct {
		name string
		n    int
		size int
		ct   queue.ContentType
	}{
		{"100 messages", 100, 2880, queue.Text},
		{"two large", 2, queue.MaxMessageSize, queue.Bytes},
		{"25 json", 25, 10, queue.JSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := newQueue(t, c)
			p := sqs.NewProducer(c, url)
			msgs := make([]queue.Message, tc.n)
			for i := range msgs {
				body := fmt.Sprintf("%0*d", tc.size, i)
				if tc.ct == queue.JSON {
					body = `"` + body + `"`
				}
				msgs[i] = queue.Message{Body: []byte(body), ContentType: tc.ct}
			}
			if err := p.SendBatch(ctx, msgs); err != nil {
				t.Fatal(err)
			}
			got := receiveAll(t, c, url, tc.n)
			var bodies []string
			for _, r := range got {
				bodies = append(bodies, string(r.dec.Body))
			}
			sort.Strings(bodies)
			for i, b := range bodies {
				if b != string(msgs[i].Body) {
					t.Fatalf("message %d: %.20q, want %.20q", i, b, msgs[i].Body)
				}
			}
		})
	}
}

// TestCloudflareLimits: validation happens before any request, with
// Cloudflare's words.
func TestCloudflareLimits(t *testing.T) {
	c := client(t)
	p := sqs.NewProducer(c, newQueue(t, c))
	big := queue.Message{Body: make([]byte, queue.MaxMessageSize+1), ContentType: queue.Bytes}
	if err := p.Send(ctx, big); err == nil || err.Error() != "Queue send failed: message length of 128001 bytes exceeds limit of 128000" {
		t.Errorf("Send(too big) = %v", err)
	}
	if err := p.Send(ctx, queue.Message{Body: []byte("x"), ContentType: queue.Text, DelaySeconds: seconds(43_201)}); err == nil || !strings.Contains(err.Error(), "message delay 43201 is invalid") {
		t.Errorf("Send(delay 43201) = %v", err)
	}
	msgs := make([]queue.Message, 101)
	for i := range msgs {
		msgs[i] = queue.Message{Body: []byte("x"), ContentType: queue.Text}
	}
	if err := p.SendBatch(ctx, msgs); err == nil || err.Error() != "Queue sendBatch failed: batch message count of 101 exceeds limit of 100" {
		t.Errorf("SendBatch(101) = %v", err)
	}
	if err := p.SendBatch(ctx, nil); err == nil || err.Error() != "sendBatch() requires at least one message" {
		t.Errorf("SendBatch(none) = %v", err)
	}
}

// TestLongDelay: a delay SQS cannot take is sent as 900 s with the due time;
// Redelay sends it on with what remains, keeping its first id and time.
func TestLongDelay(t *testing.T) {
	c := client(t)
	url := newQueue(t, c)
	now := time.UnixMilli(1_800_000_000_000)
	p := sqs.NewProducer(c, url, sqs.WithClock(func() time.Time { return now }))
	if err := p.Send(ctx, queue.Message{Body: []byte(`"later"`), ContentType: queue.JSON, DelaySeconds: seconds(3600)}); err != nil {
		t.Fatal(err)
	}
	// SQS holds it for 900 s: it must not be receivable now.
	res, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil || len(res.Messages) != 0 {
		t.Fatalf("a message delayed by an hour was received at once: %v %v", res, err)
	}
	// The batch path marks it the same way; a short delay goes as is.
	err = p.SendBatch(ctx, []queue.Message{
		{Body: []byte("short"), ContentType: queue.Text, DelaySeconds: seconds(0)},
		{Body: []byte("long"), ContentType: queue.Text, DelaySeconds: seconds(43_200)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := receiveAll(t, c, url, 1)
	if string(got[0].dec.Body) != "short" || !got[0].dec.DeliverAt.IsZero() {
		t.Fatalf("got %+v", got[0].dec)
	}

	// Redelay: what a consumer does on receiving a message early.
	attrs := map[string]string{sqs.AttrContentType: "json", sqs.AttrDeliverAt: fmt.Sprint(now.Add(3600 * time.Second).UnixMilli())}
	d, err := sqs.Decode(`"later"`, attrs)
	if err != nil || !d.DeliverAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("Decode: %+v %v", d, err)
	}
	sent := now.Add(-time.Minute)
	// 2 s remain: sent on with a 2 s delay and no due time.
	if err := sqs.Redelay(ctx, c, url, `"later"`, attrs, d, "first-id", sent, d.DeliverAt.Add(-2*time.Second)); err != nil {
		t.Fatal(err)
	}
	res, _ = c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if len(res.Messages) != 0 {
		t.Fatalf("re-delayed message received at once")
	}
	got = receiveAll(t, c, url, 1)
	r := got[0].dec
	if string(r.Body) != `"later"` || r.ContentType != queue.JSON || r.ID != "first-id" || !r.Timestamp.Equal(sent) || !r.DeliverAt.IsZero() {
		t.Fatalf("re-delayed message: %+v", r)
	}
}

// TestBatchErrorNamesMessages: when a later SQS call of a sendBatch fails
// (here: a body over the queue's MaximumMessageSize makes SQS refuse the
// call), the error names the messages not sent, and the earlier call's
// messages are delivered.
func TestBatchErrorNamesMessages(t *testing.T) {
	c := client(t)
	name := fmt.Sprintf("small-%d", queueSeq.Add(1))
	q, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"MaximumMessageSize": "1024"}})
	if err != nil {
		t.Fatal(err)
	}
	url := aws.ToString(q.QueueUrl)
	p := sqs.NewProducer(c, url, sqs.WithEntryRetries(1, time.Millisecond))
	msgs := make([]queue.Message, 12)
	for i := range msgs {
		msgs[i] = queue.Message{Body: []byte(fmt.Sprint(i)), ContentType: queue.Text}
	}
	msgs[11].Body = bytes.Repeat([]byte("y"), 2000)
	err = p.SendBatch(ctx, msgs)
	var be *sqs.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("SendBatch = %v, want a *BatchError", err)
	}
	if len(be.Failed) != 0 || fmt.Sprint(be.NotSent) != "[10 11]" || be.Err == nil {
		t.Fatalf("BatchError = %+v", be)
	}
	if !strings.HasPrefix(err.Error(), "2 of 12 messages were not sent to SQS queue "+name+" (the other 10 were): messages[10..11]: sending to SQS queue "+name+": ") {
		t.Errorf("error = %q", err)
	}
	got := receiveAll(t, c, url, 10)
	for _, r := range got {
		if len(r.dec.Body) != 1 {
			t.Errorf("received %q, which was not in the first call", r.dec.Body)
		}
	}
}
