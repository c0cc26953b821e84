package queue

import (
	"fmt"
	"strings"
	"time"
)

// Operation names as they appear in error messages.
const (
	OpSend      = "send"
	OpSendBatch = "sendBatch"
)

// Error is a rejected send, worded as Cloudflare's runtime words it. TypeError
// errors are the ones workerd throws before any request (an empty batch, an
// unknown content type); the others read "Queue <op> failed: <message>", the
// queue service's answer.
type Error struct {
	Op        string
	Message   string
	TypeError bool
}

func (e *Error) Error() string {
	if e.TypeError {
		return e.Message
	}
	return "Queue " + e.Op + " failed: " + e.Message
}

func failed(op, format string, args ...any) *Error {
	return &Error{Op: op, Message: fmt.Sprintf(format, args...)}
}

// CheckContentType validates a contentType option as workerd does: case
// insensitively, returning the canonical lower-case type.
func CheckContentType(s string) (ContentType, error) {
	t := ContentType(strings.ToLower(s))
	if !t.Valid() {
		return "", &Error{TypeError: true, Message: "Unsupported queue message content type: " + s}
	}
	return t, nil
}

// CheckDelay validates a delay in seconds for op.
func CheckDelay(op string, seconds int) error {
	if seconds < 0 || seconds > MaxDelaySeconds {
		return failed(op, "message delay %d is invalid: it must be a whole number of seconds from 0 to %d", seconds, MaxDelaySeconds)
	}
	return nil
}

// CheckSend validates one message for send().
func CheckSend(m Message) error {
	if !m.ContentType.Valid() {
		return &Error{Op: OpSend, TypeError: true, Message: "Unsupported queue message content type: " + string(m.ContentType)}
	}
	if len(m.Body) > MaxMessageSize {
		return failed(OpSend, "message length of %d bytes exceeds limit of %d", len(m.Body), MaxMessageSize)
	}
	if m.DelaySeconds != nil {
		return CheckDelay(OpSend, *m.DelaySeconds)
	}
	return nil
}

// CheckBatch validates the messages of a sendBatch(), in the order the queue
// service checks them: count, largest message, total size.
func CheckBatch(msgs []Message) error {
	if len(msgs) == 0 {
		return &Error{Op: OpSendBatch, TypeError: true, Message: "sendBatch() requires at least one message"}
	}
	if len(msgs) > MaxBatchMessages {
		return failed(OpSendBatch, "batch message count of %d exceeds limit of %d", len(msgs), MaxBatchMessages)
	}
	total, largest := 0, 0
	for _, m := range msgs {
		if !m.ContentType.Valid() {
			return &Error{Op: OpSendBatch, TypeError: true, Message: "Unsupported queue message content type: " + string(m.ContentType)}
		}
		total += len(m.Body)
		largest = max(largest, len(m.Body))
	}
	if largest > MaxMessageSize {
		return failed(OpSendBatch, "message in batch has length %d bytes which exceeds single message size limit of %d", largest, MaxMessageSize)
	}
	if total > MaxBatchSize {
		return failed(OpSendBatch, "batch size of %d bytes exceeds limit of %d", total, MaxBatchSize)
	}
	for _, m := range msgs {
		if m.DelaySeconds != nil {
			if err := CheckDelay(OpSendBatch, *m.DelaySeconds); err != nil {
				return err
			}
		}
	}
	return nil
}

// Delay converts a message's delay to a duration (nil: none).
func (m Message) Delay() time.Duration {
	if m.DelaySeconds == nil {
		return 0
	}
	return time.Duration(*m.DelaySeconds) * time.Second
}
