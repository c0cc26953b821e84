//go:build !ferry_noaws

package lambdaadapter_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
)

// startMoto runs moto_server on a free 127.0.0.1 port for the test and
// returns its URL; the test is skipped where moto is not installed.
func startMoto(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not installed (pip install 'moto[server]')")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(url + "/moto-api/")
		if err == nil {
			res.Body.Close()
			return url
		}
		select {
		case <-exited:
			t.Fatal("moto_server exited")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSQSVisibility changes the visibility of received messages on moto's
// SQS: a zero timeout makes a message receivable at once, a longer one after
// that time, and a bad receipt handle is reported with its message id.
func TestSQSVisibility(t *testing.T) {
	url := startMoto(t)
	ctx := context.Background()
	client := sqs.New(sqs.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	})
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{"VisibilityTimeout": "300"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"now", "soon", "later"} {
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func() []string {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		var bodies []string
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		sort.Strings(bodies)
		return bodies
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 3 {
		t.Fatalf("received %d messages, %v", len(out.Messages), err)
	}
	timeouts := map[string]time.Duration{"now": 0, "soon": 2 * time.Second, "later": time.Hour}
	var changes []lambdaadapter.VisibilityChange
	for _, m := range out.Messages {
		changes = append(changes, lambdaadapter.VisibilityChange{MessageID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Timeout: timeouts[aws.ToString(m.Body)]})
	}
	changes = append(changes, lambdaadapter.VisibilityChange{MessageID: "bogus-id", ReceiptHandle: "not-a-receipt-handle"})

	v := &lambdaadapter.SQSVisibility{Client: client}
	err = v.ChangeVisibility(ctx, "arn:aws:sqs:us-east-1:123456789012:jobs", changes)
	if err == nil || !strings.Contains(err.Error(), "bogus-id") || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("want exactly the bad receipt handle reported, got %v", err)
	}
	if got := receive(); len(got) != 1 || got[0] != "now" {
		t.Fatalf("at once: received %q, want [now]", got)
	}
	time.Sleep(2500 * time.Millisecond)
	if got := receive(); len(got) != 1 || got[0] != "soon" {
		t.Fatalf("after 2.5s: received %q, want [soon]", got)
	}

	if err := v.ChangeVisibility(ctx, "arn:aws:s3:::bucket", changes[:1]); err == nil || !strings.Contains(err.Error(), "not an SQS queue ARN") {
		t.Fatalf("bad ARN: %v", err)
	}
}
