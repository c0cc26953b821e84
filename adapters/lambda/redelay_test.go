//go:build !ferry_noaws

package lambdaadapter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	ferrysqs "github.com/ferry-run/ferry/bindings/sqs"
	"github.com/ferry-run/ferry/internal/testutil"
)

// TestRedelay: a message delayed beyond SQS's 900 s (ferry-deliver-at) that
// arrives before it is due is not delivered: it is sent again with the delay
// that remains and acked, and the copy reaches the Worker when due, with the
// id and timestamp of the message first sent.
func TestRedelay(t *testing.T) {
	url := testutil.Moto(t)
	ctx := context.Background()
	client := sqs.New(sqs.Options{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(url),
	})
	name := fmt.Sprintf("redelay-%d", time.Now().UnixNano())
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(2 * time.Second)
	str := func(s string) sqstypes.MessageAttributeValue {
		return sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(`{"action":"ack","n":7}`),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			ferrysqs.AttrContentType: str("json"), ferrysqs.AttrDeliverAt: str(strconv.FormatInt(due.UnixMilli(), 10)),
		}}); err != nil {
		t.Fatal(err)
	}
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w, lambdaadapter.WithVisibility(&lambdaadapter.SQSVisibility{Client: client}))
	arn := "arn:aws:sqs:us-east-1:123456789012:" + name

	// poll receives what is there and invokes h with it, as the event
	// source mapping does, deleting what did not fail.
	poll := func() (ids []string, failures string) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return nil, ""
		}
		var recs []map[string]any
		for _, m := range out.Messages {
			attrs := map[string]any{}
			for k, v := range m.MessageAttributes {
				attrs[k] = map[string]any{"stringValue": aws.ToString(v.StringValue), "dataType": "String"}
			}
			ids = append(ids, aws.ToString(m.MessageId))
			recs = append(recs, map[string]any{"messageId": aws.ToString(m.MessageId), "receiptHandle": aws.ToString(m.ReceiptHandle),
				"body": aws.ToString(m.Body), "attributes": m.Attributes, "messageAttributes": attrs, "eventSource": "aws:sqs", "eventSourceARN": arn})
		}
		payload, _ := json.Marshal(map[string]any{"Records": recs})
		resp, err := h.Invoke(lambdaCtx("redelay"), payload)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
		}
		return ids, string(resp)
	}
	seen := func() int {
		var st struct{ Queue []struct{ ID string } }
		json.Unmarshal(invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/state")).bytes(t), &st)
		return len(st.Queue)
	}

	first, resp := poll()
	if len(first) != 1 || resp != `{"batchItemFailures":[]}` || seen() != 0 {
		t.Fatalf("early message: received %v, response %s, the Worker saw %d", first, resp, seen())
	}
	if ids, _ := poll(); len(ids) != 0 {
		t.Fatalf("the re-delayed copy came back at once")
	}
	var sent time.Time
	for time.Now().Before(due.Add(3 * time.Second)) {
		time.Sleep(250 * time.Millisecond)
		ids, _ := poll()
		if len(ids) > 0 {
			sent = time.Now()
			break
		}
	}
	if sent.IsZero() || sent.Before(due) {
		t.Fatalf("the copy arrived at %v, due %v", sent, due)
	}
	var st struct {
		Queue []struct {
			ID   string
			Body map[string]any
		}
	}
	json.Unmarshal(invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/state")).bytes(t), &st)
	if len(st.Queue) != 1 || st.Queue[0].ID != first[0] || st.Queue[0].Body["n"] != 7.0 {
		t.Fatalf("the Worker saw %+v, want message %s", st.Queue, first[0])
	}
}
