package sqs

import (
	"bytes"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/queue"
)

// TestChunkEnd: calls hold at most 10 messages and 256 KiB, counting the
// base64 of bytes bodies and the attributes.
func TestChunkEnd(t *testing.T) {
	msgs := func(n, size int, ct queue.ContentType) []encoded {
		out := make([]encoded, n)
		for i := range out {
			out[i] = encode(queue.Message{Body: bytes.Repeat([]byte("a"), size), ContentType: ct}, time.Now())
		}
		return out
	}
	for _, tc := range []struct {
		name string
		enc  []encoded
		want []int // ends of the calls
	}{
		{"100 small", msgs(100, 10, queue.Text), []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}},
		{"two max bytes", msgs(2, queue.MaxMessageSize, queue.Bytes), []int{1, 2}},
		// 2 × 128,000 text bytes + attributes is 256,040 bytes: under 256 KiB.
		{"two max text", msgs(2, queue.MaxMessageSize, queue.Text), []int{2}},
		{"three max text", msgs(3, queue.MaxMessageSize, queue.Text), []int{2, 3}},
	} {
		var got []int
		for start := 0; start < len(tc.enc); {
			start = chunkEnd(tc.enc, start)
			got = append(got, start)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: calls end at %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: calls end at %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}
