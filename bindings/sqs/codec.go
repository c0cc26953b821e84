package sqs

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/sqs/sqsmsg"
)

// Message attributes (String) Ferry writes on SQS messages, as defined by
// bindings/sqs/sqsmsg (the message format without the AWS SDK). A consumer
// that is not Ferry sees the body and can ignore them.
const (
	// AttrContentType is the Workers content type of the body: "text",
	// "json", "bytes" or "v8" (sqsmsg.AttrContentType).
	AttrContentType = sqsmsg.AttrContentType
	// AttrEncoding is "base64" when a "text" or "json" body travels
	// base64-encoded (sqsmsg.AttrEncoding).
	AttrEncoding = sqsmsg.AttrEncoding
	// AttrDeliverAt is when a message delayed beyond SQS's 900 seconds is
	// due, in Unix milliseconds (sqsmsg.AttrDeliverAt; see Redelay).
	AttrDeliverAt = sqsmsg.AttrDeliverAt
	// AttrID and AttrTimestamp keep a re-delayed message's first SQS
	// message id and send time (Unix milliseconds).
	AttrID        = sqsmsg.AttrID
	AttrTimestamp = sqsmsg.AttrTimestamp
)

// SQS's limits.
const (
	// MaxDelaySeconds is SQS's largest DelaySeconds; Workers allow up to
	// queue.MaxDelaySeconds (43,200), which Ferry bridges with
	// AttrDeliverAt.
	MaxDelaySeconds = sqsmsg.MaxDelaySeconds
	// MaxBatchEntries is the number of entries of one SendMessageBatch,
	// ChangeMessageVisibilityBatch or DeleteMessageBatch call (Workers:
	// 100 messages per sendBatch).
	MaxBatchEntries = 10
	// MaxBatchBytes is the payload limit of one SendMessageBatch call
	// (bodies plus attribute names, types and values). SQS raised it to
	// 1 MiB in 2025; Ferry keeps to the 256 KiB every SQS (and emulator)
	// accepts. A Workers message, at most 128,000 bytes, is at most 170,668
	// bytes as base64, so one always fits.
	MaxBatchBytes = 256 * 1024
)

// encoded is a queue.Message in the SDK's terms.
type encoded struct {
	body  string
	attrs map[string]types.MessageAttributeValue
	delay int32
}

// size is what the message counts towards SQS's payload limit.
func (e encoded) size() int {
	n := len(e.body)
	for k, v := range e.attrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}

// encode turns m into an SQS message sent at now (sqsmsg.Encode).
func encode(m queue.Message, now time.Time) encoded {
	e := sqsmsg.Encode(m, now)
	attrs := make(map[string]types.MessageAttributeValue, len(e.Attrs))
	for k, v := range e.Attrs {
		attrs[k] = stringAttr(v)
	}
	return encoded{body: e.Body, attrs: attrs, delay: e.Delay}
}

// Decoded is an SQS message as the Worker sees it (sqsmsg.Decoded).
type Decoded = sqsmsg.Decoded

// Decode reads a message Ferry (or another producer) wrote: attrs are its
// String message attributes (sqsmsg.Decode). A message without
// AttrContentType is text, its body as it is. It fails, naming the
// attribute, on a body that does not decode as its attributes say, so that
// one bad message cannot fail a whole batch.
func Decode(body string, attrs map[string]string) (Decoded, error) {
	return sqsmsg.Decode(body, attrs)
}
