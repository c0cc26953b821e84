//go:build !ferry_noaws

package serve

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/sqs"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/internal/awsbind"
)

// sqsConsumers builds a consumer loop on SQS for each queues.consumers
// entry: the queue is [ferry.aws.queues]'s URL or name for the Workers
// queue, else the SQS queue of the same name (its URL looked up now, so a
// missing queue fails the start). Retries change the message's visibility;
// a message out of retries moves to the SQS queue named like
// dead_letter_queue.
func sqsConsumers(ctx context.Context, cfg *config.Worker, hold func() (*core.Worker, func()), log *slog.Logger) ([]*httpadapter.Consumer, error) {
	if len(cfg.Queues.Consumers) == 0 {
		return nil, nil
	}
	a := cfg.Ferry.AWS
	if a == nil {
		a = &config.AWS{}
	}
	ac, err := awsbind.Config(ctx, a)
	if err != nil {
		return nil, err
	}
	client := awssqs.NewFromConfig(ac)
	var out []*httpadapter.Consumer
	for _, c := range cfg.Queues.Consumers {
		target := a.Queues[c.Queue]
		if target == "" {
			target = c.Queue
		}
		url := target
		if !strings.Contains(target, "://") {
			res, err := client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String(target)})
			if err != nil {
				return nil, fmt.Errorf("getting the URL of SQS queue %s for the consumer of queue %s (map it with [ferry.aws.queues]): %w", target, c.Queue, err)
			}
			url = aws.ToString(res.QueueUrl)
		}
		n := httpadapter.NewConsumer(c, sqs.NewBackend(client, url), hold)
		n.Log = log
		out = append(out, n)
	}
	return out, nil
}
