// Package sqsmsg is how Ferry writes a Workers queue message as an SQS
// message and reads it back: the body, the String message attributes
// (AttrContentType and the other ferry-* names) and the delay. bindings/sqs
// sends what Encode returns and the Lambda adapter delivers what Decode
// returns, so whatever Ferry's producer writes reaches the Worker as it was
// sent.
//
// A message's Workers content type travels in AttrContentType. SQS bodies
// are XML text, so "bytes" and "v8" (structured-clone bytes) bodies are
// base64, and a "text" or "json" body with characters SQS refuses is base64
// too, with AttrEncoding saying so. A message from another producer (no
// attribute) is text: its body as SQS has it. A delay beyond SQS's
// MaxDelaySeconds is sent as MaxDelaySeconds with AttrDeliverAt, the time the
// message is due (see bindings/sqs.Redelay).
//
// The package imports no AWS SDK: the Lambda runtime of a Worker that only
// consumes queue events through the adapter decodes messages without linking
// the SQS client.
package sqsmsg

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

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
	// (see bindings/sqs.Redelay), until it is due.
	AttrDeliverAt = "ferry-deliver-at"
	// AttrID and AttrTimestamp keep a re-delayed message's first SQS
	// message id and send time (Unix milliseconds), so the Worker sees the
	// id and timestamp the message was sent with.
	AttrID        = "ferry-id"
	AttrTimestamp = "ferry-timestamp"
)

// MaxDelaySeconds is SQS's largest DelaySeconds; Workers allow up to
// queue.MaxDelaySeconds (43,200), which Ferry bridges with AttrDeliverAt.
const MaxDelaySeconds = 900

// Encoded is a queue.Message in SQS's terms.
type Encoded struct {
	Body  string
	Attrs map[string]string // String message attributes
	Delay int32             // DelaySeconds, at most MaxDelaySeconds
}

// Encode turns m into an SQS message sent at now.
func Encode(m queue.Message, now time.Time) Encoded {
	e := Encoded{Attrs: map[string]string{AttrContentType: string(m.ContentType)}}
	switch m.ContentType {
	case queue.Bytes, queue.V8:
		e.Body = base64.StdEncoding.EncodeToString(m.Body)
	default:
		if sqsText(m.Body) {
			e.Body = string(m.Body)
		} else {
			e.Body = base64.StdEncoding.EncodeToString(m.Body)
			e.Attrs[AttrEncoding] = "base64"
		}
	}
	if d := m.Delay(); d > 0 {
		if s := int(d / time.Second); s <= MaxDelaySeconds {
			e.Delay = int32(s)
		} else {
			e.Delay = MaxDelaySeconds
			e.Attrs[AttrDeliverAt] = strconv.FormatInt(now.Add(d).UnixMilli(), 10)
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
