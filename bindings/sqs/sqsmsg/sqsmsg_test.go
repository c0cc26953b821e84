package sqsmsg_test

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/sqs/sqsmsg"
)

// TestRoundTrip: what Encode writes, Decode gives back as it was sent, and
// only bodies SQS cannot carry as text are base64.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		m      queue.Message
		base64 bool
	}{
		{queue.Message{Body: []byte("plain text ✓"), ContentType: queue.Text}, false},
		{queue.Message{Body: []byte(`{"a":[1,2]}`), ContentType: queue.JSON}, false},
		{queue.Message{Body: []byte{0, 1, 2, 0xff}, ContentType: queue.Bytes}, true},
		{queue.Message{Body: []byte{0xff, 0x0f, 0x6f, 0x22, 0x01, 0x78}, ContentType: queue.V8}, true},
		{queue.Message{Body: []byte("nul \x00 and \uffff"), ContentType: queue.Text}, true},
		{queue.Message{Body: []byte("bad utf-8 \xc3"), ContentType: queue.Text}, true},
	} {
		e := sqsmsg.Encode(tc.m, time.Now())
		if e.Attrs[sqsmsg.AttrContentType] != string(tc.m.ContentType) {
			t.Errorf("%q: %s = %q", tc.m.Body, sqsmsg.AttrContentType, e.Attrs[sqsmsg.AttrContentType])
		}
		if got := e.Body != string(tc.m.Body); got != tc.base64 {
			t.Errorf("%q: body %q, want base64 %v", tc.m.Body, e.Body, tc.base64)
		}
		d, err := sqsmsg.Decode(e.Body, e.Attrs)
		if err != nil || d.ContentType != tc.m.ContentType || !bytes.Equal(d.Body, tc.m.Body) {
			t.Errorf("%q: Decode = %+v, %v", tc.m.Body, d, err)
		}
	}
}

// TestEncodeDelay: delays up to SQS's 900 s are SQS delays; a longer one is
// sent as 900 s with the due time, which Decode reads back.
func TestEncodeDelay(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	for _, tc := range []struct {
		secs      int
		delay     int32
		deliverAt bool
	}{{0, 0, false}, {30, 30, false}, {900, 900, false}, {901, 900, true}, {43200, 900, true}} {
		e := sqsmsg.Encode(queue.Message{Body: []byte("x"), ContentType: queue.Text, DelaySeconds: &tc.secs}, now)
		at, ok := e.Attrs[sqsmsg.AttrDeliverAt]
		if e.Delay != tc.delay || ok != tc.deliverAt {
			t.Errorf("delay %d s: Delay %d, %s %q", tc.secs, e.Delay, sqsmsg.AttrDeliverAt, at)
		}
		d, err := sqsmsg.Decode(e.Body, e.Attrs)
		if err != nil {
			t.Fatalf("delay %d s: %v", tc.secs, err)
		}
		want := time.Time{}
		if tc.deliverAt {
			want = now.Add(time.Duration(tc.secs) * time.Second)
		}
		if !d.DeliverAt.Equal(want) {
			t.Errorf("delay %d s: DeliverAt %v (%s %q), want %v", tc.secs, d.DeliverAt, sqsmsg.AttrDeliverAt, at, want)
		}
	}
}

// TestDecodeRedelayed: a re-delayed message keeps its first id and send time.
func TestDecodeRedelayed(t *testing.T) {
	sent := time.UnixMilli(1_700_000_000_123)
	d, err := sqsmsg.Decode("x", map[string]string{sqsmsg.AttrID: "first-id", sqsmsg.AttrTimestamp: strconv.FormatInt(sent.UnixMilli(), 10)})
	if err != nil || d.ID != "first-id" || !d.Timestamp.Equal(sent) || d.ContentType != queue.Text {
		t.Fatalf("Decode = %+v, %v", d, err)
	}
}
