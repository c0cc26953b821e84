package fetch

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads the same bytes whatever the announced size says, and
// allocates once when the announcement is right.
func TestReadAllWithAnnouncedSize(t *testing.T) {
	body := strings.Repeat("0123456789", 410)
	cases := []struct {
		name        string
		size, limit int64
		want        string
		wantErr     bool
	}{
		{"exact", int64(len(body)), 1 << 20, body, false},
		{"unknown", -1, 1 << 20, body, false},
		{"announced less", 100, 1 << 20, body, false},
		{"announced more", 10000, 1 << 20, body, false},
		{"announced beyond the presize bound", 1 << 30, 1 << 31, body, false},
		// One byte past the limit comes back so the caller sees the excess.
		{"over the limit", int64(len(body)), 100, body[:101], false},
		{"announced over the limit", 1000, 100, body[:101], false},
	}
	for _, c := range cases {
		for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body)), iotest.HalfReader(strings.NewReader(body))} {
			got, err := readAll(r, c.size, c.limit)
			if (err != nil) != c.wantErr || string(got) != c.want {
				t.Errorf("%s: got %d bytes, %v; want %d bytes", c.name, len(got), err, len(c.want))
			}
		}
	}
	boom := errors.New("boom")
	got, err := readAll(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 10, 100)
	if !errors.Is(err, boom) || string(got) != "abc" {
		t.Errorf("a failing reader: %q, %v", got, err)
	}
	b := []byte(body)
	allocs := testing.AllocsPerRun(20, func() {
		_, _ = readAll(bytes.NewReader(b), int64(len(b)), 1<<20)
	})
	if allocs > 2 { // the buffer, and the bytes.Reader
		t.Errorf("readAll with the right size: %v allocations, want 2", allocs)
	}
}
