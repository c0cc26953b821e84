package lambdaadapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-run/ferry/bindings/sqs/sqsmsg"
	"github.com/ferry-run/ferry/core"
)

// ContentTypeAttribute is the SQS message attribute (String) carrying a
// message's Workers content type: "json" (the body is JSON text), "text",
// "bytes" or "v8" (structured-clone bytes; both base64, as SQS bodies must be
// text). A message without it, from a producer that is not Ferry, is "text":
// the body exactly as SQS has it. bindings/sqs writes it and sqsmsg.Decode
// reads it, with the other ferry-* attributes (bindings/sqs/sqsmsg).
const ContentTypeAttribute = sqsmsg.AttrContentType

// MaxVisibilityTimeout is SQS's limit for a message's visibility timeout,
// 12 hours, which is also Workers' largest retry delay
// (queue.MaxDelaySeconds); a longer delay is cut to it, with a warning.
const MaxVisibilityTimeout = 12 * time.Hour

// Redelayer sends again, with the delay that remains, a message received
// before it is due: one sent with a delay beyond SQS's 900 seconds
// (ferry-deliver-at; see bindings/sqs). SQSVisibility is one. When the
// handler's VisibilityChanger is also a Redelayer, such messages are
// re-delayed and acked instead of delivered.
type Redelayer interface {
	Redelay(ctx context.Context, queueARN string, m RedelayMessage) error
}

// RedelayMessage is a message to send again.
type RedelayMessage struct {
	MessageID string
	Body      string            // as received
	Attrs     map[string]string // its String message attributes
	Decoded   sqsmsg.Decoded
	Sent      time.Time // SQS's SentTimestamp
}

// VisibilityChanger makes received SQS messages visible again after a delay:
// a retried message comes back when its retry delay has passed rather than
// when the queue's visibility timeout ends.
type VisibilityChanger interface {
	// ChangeVisibility sets the visibility timeout of messages received
	// from the queue with the given ARN. It may act on part of the list
	// and report the rest in its error.
	ChangeVisibility(ctx context.Context, queueARN string, changes []VisibilityChange) error
}

// VisibilityChange is one message's new visibility timeout.
type VisibilityChange struct {
	MessageID     string
	ReceiptHandle string
	Timeout       time.Duration // whole seconds, 0 to MaxVisibilityTimeout
}

type sqsRecord struct {
	MessageID         string            `json:"messageId"`
	ReceiptHandle     string            `json:"receiptHandle"`
	Body              string            `json:"body"`
	Attributes        map[string]string `json:"attributes"`
	MessageAttributes map[string]struct {
		StringValue *string `json:"stringValue"`
		DataType    string  `json:"dataType"`
	} `json:"messageAttributes"`
	EventSource    string `json:"eventSource"`
	EventSourceARN string `json:"eventSourceARN"`
}

// batchResponse is the partial batch response (ReportBatchItemFailures).
type batchResponse struct {
	BatchItemFailures []batchItemFailure `json:"batchItemFailures"`
}

type batchItemFailure struct {
	ItemIdentifier string `json:"itemIdentifier"`
}

func (h *Handler) serveSQS(ctx context.Context, top topLevel) (io.Reader, error) {
	var records []sqsRecord
	if err := top.get("Records", &records); err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, errors.New("ferry: the Lambda event has an empty Records list")
	}
	for _, r := range records {
		if r.EventSource != "aws:sqs" {
			return nil, fmt.Errorf("ferry: unrecognised Lambda event: Records from %q; Ferry handles SQS records (eventSource \"aws:sqs\") only", r.EventSource)
		}
	}
	resp := batchResponse{BatchItemFailures: []batchItemFailure{}}
	// One event source mapping sends one queue's messages; group by queue
	// anyway, keeping order.
	for len(records) > 0 {
		arn := records[0].EventSourceARN
		n := 1
		for n < len(records) && records[n].EventSourceARN == arn {
			n++
		}
		failed, err := h.queueBatch(ctx, arn, records[:n])
		if err != nil {
			return nil, err
		}
		resp.BatchItemFailures = append(resp.BatchItemFailures, failed...)
		records = records[n:]
	}
	b, _ := json.Marshal(resp)
	return jsonPayload(b, nil), nil
}

// queueBatch runs the queue handler on one queue's records and returns the
// messages to retry, after setting their visibility to their retry delay.
func (h *Handler) queueBatch(ctx context.Context, arn string, records []sqsRecord) ([]batchItemFailure, error) {
	start := time.Now()
	id := requestID(ctx)
	queue := h.queueName(arn)
	var failed []batchItemFailure
	var changes []VisibilityChange
	msgs := make([]core.QueueMessage, 0, len(records))
	kept := make([]sqsRecord, 0, len(records))
	redelayed := 0
	now := time.Now()
	for _, r := range records {
		m, d, err := queueMessage(r)
		if err != nil {
			// It cannot be delivered as it is: retry it, so that the
			// queue's redrive policy moves it to the dead-letter queue.
			h.log.LogAttrs(ctx, slog.LevelError, fmt.Sprintf("queue %s: message %s: %v", queue, r.MessageID, err), slog.String("request", id))
			failed = append(failed, batchItemFailure{r.MessageID})
			continue
		}
		if d.DeliverAt.After(now) {
			// Sent with a delay beyond SQS's 900 s and not due yet: send it
			// on with what remains (and ack this copy), else hide it until
			// it is due.
			if err := h.redelay(ctx, arn, r, d, m.Timestamp); err != nil {
				h.log.LogAttrs(ctx, slog.LevelWarn, fmt.Sprintf("queue %s: message %s is due at %s: %v; it stays hidden until then instead", queue, r.MessageID, d.DeliverAt.UTC().Format(time.RFC3339), err), slog.String("request", id))
				failed = append(failed, batchItemFailure{r.MessageID})
				changes = append(changes, VisibilityChange{MessageID: r.MessageID, ReceiptHandle: r.ReceiptHandle, Timeout: min(d.DeliverAt.Sub(now).Round(time.Second)+time.Second, MaxVisibilityTimeout)})
			} else {
				redelayed++
			}
			continue
		}
		msgs = append(msgs, m)
		kept = append(kept, r)
	}
	if len(msgs) > 0 {
		ectx, cancel := h.eventContext(ctx)
		outcomes, err := h.w.Queue(ectx, queue, msgs)
		cancel()
		if err != nil {
			var se *core.ScriptError
			if !errors.As(err, &se) {
				return nil, fmt.Errorf("ferry: running queue %s: %w", queue, err)
			}
			h.log.LogAttrs(ctx, slog.LevelError, err.Error(), slog.String("request", id))
		}
		for i, o := range outcomes {
			if !o.Retry {
				continue
			}
			r := kept[i]
			failed = append(failed, batchItemFailure{r.MessageID})
			delay := time.Duration(o.DelaySeconds) * time.Second
			if o.DelaySeconds <= 0 {
				if c, ok := h.consumers[queue]; ok {
					delay = time.Duration(c.RetryDelay) * time.Second
				}
			}
			if delay > MaxVisibilityTimeout {
				h.log.LogAttrs(ctx, slog.LevelWarn, fmt.Sprintf("queue %s: message %s: retry delay %v is over SQS's visibility limit; it comes back after %v", queue, r.MessageID, delay, MaxVisibilityTimeout), slog.String("request", id))
				delay = MaxVisibilityTimeout
			}
			changes = append(changes, VisibilityChange{MessageID: r.MessageID, ReceiptHandle: r.ReceiptHandle, Timeout: delay})
		}
	}
	if h.vis != nil && len(changes) > 0 {
		if err := h.vis.ChangeVisibility(ctx, arn, changes); err != nil {
			h.log.LogAttrs(ctx, slog.LevelWarn, fmt.Sprintf("queue %s: setting the retry delay of retried messages: %v (they come back after the queue's visibility timeout)", queue, err), slog.String("request", id))
		}
	}
	line := fmt.Sprintf("queue %s: %d message(s), %d retried", queue, len(records), len(failed))
	if redelayed > 0 {
		line += fmt.Sprintf(", %d not due yet and re-delayed", redelayed)
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, line+" "+time.Since(start).Round(time.Microsecond).String(), slog.String("request", id))
	return failed, nil
}

// queueName is the Workers queue name for an SQS queue ARN
// (arn:aws:sqs:region:account:name).
func (h *Handler) queueName(arn string) string {
	name := arn
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		name = arn[i+1:]
	}
	if n, ok := h.queues[name]; ok {
		return n
	}
	return name
}

// redelay sends r again with the delay that remains until d.DeliverAt.
func (h *Handler) redelay(ctx context.Context, arn string, r sqsRecord, d sqsmsg.Decoded, sent time.Time) error {
	rd, ok := h.vis.(Redelayer)
	if !ok {
		return errors.New("the handler cannot send SQS messages")
	}
	return rd.Redelay(ctx, arn, RedelayMessage{MessageID: r.MessageID, Body: r.Body, Attrs: r.stringAttrs(), Decoded: d, Sent: sent})
}

func (r sqsRecord) stringAttrs() map[string]string {
	attrs := make(map[string]string, len(r.MessageAttributes))
	for k, a := range r.MessageAttributes {
		if a.StringValue != nil {
			attrs[k] = *a.StringValue
		}
	}
	return attrs
}

// queueMessage converts an SQS record, checking its body decodes as its
// attributes say (sqsmsg.Decode), so that one bad message cannot fail the whole
// batch. A re-delayed message keeps the id and time it was first sent with.
func queueMessage(r sqsRecord) (core.QueueMessage, sqsmsg.Decoded, error) {
	d, err := sqsmsg.Decode(r.Body, r.stringAttrs())
	if err != nil {
		return core.QueueMessage{}, d, err
	}
	m := core.QueueMessage{ID: r.MessageID, ContentType: string(d.ContentType), Body: d.Body}
	if ms, err := strconv.ParseInt(r.Attributes["SentTimestamp"], 10, 64); err == nil {
		m.Timestamp = time.UnixMilli(ms)
	} else {
		m.Timestamp = time.Now()
	}
	if d.ID != "" {
		m.ID = d.ID
	}
	if !d.Timestamp.IsZero() {
		m.Timestamp = d.Timestamp
	}
	m.Attempts = 1
	if n, err := strconv.Atoi(r.Attributes["ApproximateReceiveCount"]); err == nil && n > 0 {
		m.Attempts = n
	}
	return m, d, nil
}
