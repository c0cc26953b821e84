package sqs_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/queue/queuetest"
	"github.com/ferry-run/ferry/bindings/sqs"
)

// TestConformance runs the parts of bindings/queue's suite that do not move
// its fake clock: SQS's delays, leases and timestamps run on real time (they
// are tested in real time by TestBackend, TestBackendExtend, TestLongDelay).
func TestConformance(t *testing.T) {
	c := client(t)
	queuetest.RunOnly(t, func(t *testing.T, now queue.Clock) queuetest.Queues {
		return func(name string) (queue.Producer, queue.Backend) {
			qn := fmt.Sprintf("%s-%d", name, queueSeq.Add(1))
			out, err := c.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String(qn)})
			if err != nil {
				t.Fatal(err)
			}
			u := aws.ToString(out.QueueUrl)
			return sqs.NewProducer(c, u, sqs.WithClock(now)), sqs.NewBackend(c, u, sqs.WithClock(now))
		}
	}, "ContentTypes", "SendBatchOrderAndMax", "Extend", "QueuesAreSeparate", "SendLimits", "BatchLimits", "ConcurrentReceivers", "CancelledContext")
}
