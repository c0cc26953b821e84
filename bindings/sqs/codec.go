package sqs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/ferry-run/ferry/bindings/queue"
)

// Message attributes (String) Ferry writes on SQS messages. A consumer that
// is not Ferry sees the body and can ignore them.
const (
	// AttrContentType is the Workers content type of the body: "text",
	// "json", "bytes" or "v8". "bytes" and "v8" (structured-clone bytes)
	// bodies are base64, as SQS bodies must be XML text. A message without
	// it, from a producer that is not Ferry, is "text": the body as SQS has
	// it.
	AttrContentType = "ferry-content-type"
	// AttrEncoding is "base64" when a "text" or "json" body holds
	// characters SQS cannot carry (controls other than tab/CR/LF, U+FFFE,
	// U+FFFF) and travels base64-encoded.
	AttrEncoding = "ferry-encoding"
	// AttrDeliverAt is when a message delayed beyond SQS's 900 seconds is
	// due, in Unix milliseconds. SQS delivers it after 900 s; the consumer
	// sends it again with the delay that remains instead of delivering it
	// (see Redelay), until it is due.
	AttrDeliverAt = "ferry-deliver-at"
	// AttrID and AttrTimestamp keep a re-delayed message's first SQS
	// message id and send time (Unix milliseconds), so the Worker sees the
	// id and timestamp the message was sent with.
	AttrID        = "ferry-id"
	AttrTimestamp = "ferry-timestamp"
)

// SQS's limits.
const (
	// MaxDelaySeconds is SQS's largest DelaySeconds; Workers allow up to
	// queue.MaxDelaySeconds (43,200), which Ferry bridges with
	// AttrDeliverAt.
	MaxDelaySeconds = 900
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

// encoded is a queue.Message in SQS's terms.
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

// encode turns m into an SQS message sent at now.
func encode(m queue.Message, now time.Time) encoded {
	e := encoded{attrs: map[string]types.MessageAttributeValue{AttrContentType: stringAttr(string(m.ContentType))}}
	switch m.ContentType {
	case queue.Bytes, queue.V8:
		e.body = base64.StdEncoding.EncodeToString(m.Body)
	default:
		if sqsText(m.Body) {
			e.body = string(m.Body)
		} else {
			e.body = base64.StdEncoding.EncodeToString(m.Body)
			e.attrs[AttrEncoding] = stringAttr("base64")
		}
	}
	if d := m.Delay(); d > 0 {
		if s := int(d / time.Second); s <= MaxDelaySeconds {
			e.delay = int32(s)
		} else {
			e.delay = MaxDelaySeconds
			e.attrs[AttrDeliverAt] = stringAttr(strconv.FormatInt(now.Add(d).UnixMilli(), 10))
		}
	}
	return e
}

// sqsText reports whether b is text SQS accepts as a message body: UTF-8
// with only the characters XML 1.0 allows (#x9, #xA, #xD, #x20-#xD7FF,
// #xE000-#xFFFD, #x10000-#x10FFFF).
func sqsText(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return false
		}
		switch {
		case r == 0x9 || r == 0xA || r == 0xD:
		case r < 0x20, r >= 0xD800 && r < 0xE000, r == 0xFFFE, r == 0xFFFF:
			return false
		}
		b = b[n:]
	}
	return true
}

// Decoded is an SQS message as the Worker sees it.
type Decoded struct {
	ContentType queue.ContentType
	Body        []byte
	// DeliverAt is when a message delayed beyond SQS's limit is due (zero:
	// it is due now). A message received before then must be re-delayed,
	// not delivered.
	DeliverAt time.Time
	// ID and Timestamp are the message's first id and send time when it has
	// been re-delayed (empty and zero otherwise: use SQS's own).
	ID        string
	Timestamp time.Time
}

// Decode reads a message Ferry (or another producer) wrote: attrs are its
// String message attributes. A message without AttrContentType is text, its
// body as it is. It fails, naming the attribute, on a body that does not
// decode as its attributes say, so that one bad message cannot fail a whole
// batch.
func Decode(body string, attrs map[string]string) (Decoded, error) {
	d := Decoded{ContentType: queue.Text, Body: []byte(body)}
	if ct, ok := attrs[AttrContentType]; ok {
		d.ContentType = queue.ContentType(ct)
		if !d.ContentType.Valid() {
			return d, fmt.Errorf("unknown %s %q (want text, json, bytes or v8)", AttrContentType, ct)
		}
	}
	b64 := d.ContentType == queue.Bytes || d.ContentType == queue.V8
	if enc, ok := attrs[AttrEncoding]; ok {
		if enc != "base64" {
			return d, fmt.Errorf("unknown %s %q (want base64)", AttrEncoding, enc)
		}
		b64 = true
	}
	if b64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return d, fmt.Errorf("its body is not base64, as its %s attribute %q says: %v", AttrContentType, d.ContentType, err)
		}
		d.Body = b
	}
	if d.ContentType == queue.JSON && !json.Valid(d.Body) {
		return d, fmt.Errorf("its body is not JSON, as its %s attribute \"json\" says", AttrContentType)
	}
	var err error
	if d.DeliverAt, err = millis(attrs, AttrDeliverAt); err != nil {
		return d, err
	}
	if d.Timestamp, err = millis(attrs, AttrTimestamp); err != nil {
		return d, err
	}
	d.ID = attrs[AttrID]
	return d, nil
}

func millis(attrs map[string]string, name string) (time.Time, error) {
	s, ok := attrs[name]
	if !ok {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("its %s attribute %q is not Unix milliseconds", name, s)
	}
	return time.UnixMilli(ms), nil
}
