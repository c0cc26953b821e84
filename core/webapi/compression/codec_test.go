package compression

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math/rand"
	"runtime"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

var allFormats = []string{"gzip", "deflate", "deflate-raw", "br"}

// feed writes data to c in chunks of the given size and finishes it.
func feed(t *testing.T, c codec, data []byte, chunk int) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	for len(data) > 0 {
		n := min(chunk, len(data))
		pieces, err := c.write(data[:n])
		if err != nil {
			return out.Bytes(), err
		}
		for _, p := range pieces {
			out.Write(p)
		}
		data = data[n:]
	}
	pieces, err := c.finish()
	for _, p := range pieces {
		out.Write(p)
	}
	return out.Bytes(), err
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	text := bytes.Repeat([]byte("streams of bytes, streams of text; "), 3000)
	random := make([]byte, 200_000)
	rng.Read(random)
	for _, format := range allFormats {
		for _, input := range []struct {
			name string
			data []byte
		}{{"empty", nil}, {"text", text}, {"random", random}} {
			for _, chunk := range []int{1, 7, 4096, 1 << 20} {
				if chunk == 1 && len(input.data) > 10_000 {
					continue // byte at a time is for the framing, not the bulk
				}
				packed, err := feed(t, newCompressor(format), input.data, chunk)
				if err != nil {
					t.Fatalf("%s/%s compress: %v", format, input.name, err)
				}
				got, err := feed(t, newDecompressor(format), packed, chunk)
				if err != nil {
					t.Fatalf("%s/%s/%d decompress: %v", format, input.name, chunk, err)
				}
				if !bytes.Equal(got, input.data) {
					t.Fatalf("%s/%s/%d: round trip lost data (%d bytes back of %d)", format, input.name, chunk, len(got), len(input.data))
				}
			}
		}
	}
}

// The compressors write standard formats: the standard library (and the
// Brotli reader) read what they produce.
func TestInteroperates(t *testing.T) {
	data := bytes.Repeat([]byte("interop "), 1000)
	packed, err := feed(t, newCompressor("gzip"), data, 100)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, data) {
		t.Fatal("gzip output is not standard")
	}
	packed, _ = feed(t, newCompressor("br"), data, 100)
	if got, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(packed))); !bytes.Equal(got, data) {
		t.Fatal("brotli output is not standard")
	}
	var ref bytes.Buffer
	bw := brotli.NewWriter(&ref)
	bw.Write(data)
	bw.Close()
	if got, err := feed(t, newDecompressor("br"), ref.Bytes(), 33); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("brotli decoder: %v", err)
	}
}

func TestDecompressErrors(t *testing.T) {
	for _, format := range allFormats {
		packed, _ := feed(t, newCompressor(format), []byte("hello, hello, hello"), 1<<10)
		cases := []struct {
			name  string
			input []byte
			want  error
		}{
			{"truncated", packed[:len(packed)-1], errTruncated},
			{"trailing", append(append([]byte(nil), packed...), 0), errTrailing},
			{"empty", nil, errTruncated},
		}
		for _, tc := range cases {
			for _, chunk := range []int{1, 1 << 10} {
				_, err := feed(t, newDecompressor(format), tc.input, chunk)
				if !errors.Is(err, tc.want) {
					t.Errorf("%s/%s/%d: got %v, want %v", format, tc.name, chunk, err, tc.want)
				}
			}
		}
		// Garbage is an error of the format's own kind, not a hang.
		if _, err := feed(t, newDecompressor(format), bytes.Repeat([]byte{0xff}, 64), 16); err == nil {
			t.Errorf("%s: garbage decompressed without an error", format)
		}
	}
}

// Output comes in pieces of at most pieceSize, so a zip bomb arrives as many
// chunks rather than one huge one.
func TestPiecesAreBounded(t *testing.T) {
	packed, _ := feed(t, newCompressor("gzip"), make([]byte, 1<<21), 1<<21)
	d := newDecompressor("gzip")
	pieces, err := d.write(packed)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range pieces {
		if len(p) > pieceSize {
			t.Fatalf("piece of %d bytes", len(p))
		}
		total += len(p)
	}
	more, err := d.finish()
	for _, p := range more {
		total += len(p)
	}
	if err != nil || total != 1<<21 {
		t.Fatalf("got %d bytes, err %v", total, err)
	}
}

// A decompressor dropped before its end does not leave its goroutine behind.
func TestAbandonedInflaterExits(t *testing.T) {
	packed, _ := feed(t, newCompressor("deflate"), make([]byte, 1<<16), 1<<16)
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		d := newDecompressor("deflate")
		if _, err := d.write(packed[:len(packed)/2]); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left running (was %d)", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	// abort releases one at once.
	d := newDecompressor("deflate")
	d.write(packed[:10])
	d.abort()
	if _, err := d.write([]byte{1}); err == nil {
		t.Fatal("write after abort succeeded")
	}
}
