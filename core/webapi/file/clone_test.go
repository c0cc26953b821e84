package file

import (
	"bytes"
	"testing"
)

func TestBlobBytesRoundTripAndRejectDamage(t *testing.T) {
	for _, b := range []*Blob{NewBlob(nil, ""), NewBlob([]byte("data"), "text/plain"), NewFile([]byte{0, 1, 2}, "f.bin", "application/x", -5)} {
		enc := marshalBlob(b)
		got, err := unmarshalBlob(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.data, b.data) || got.typ != b.typ || got.name != b.name || got.isFile != b.isFile || got.lastModified != b.lastModified {
			t.Fatalf("round trip: got %+v, want %+v", got, b)
		}
		for cut := 0; cut < len(enc); cut++ {
			if _, err := unmarshalBlob(enc[:cut]); err == nil {
				t.Fatalf("accepted %d of %d bytes", cut, len(enc))
			}
		}
		if _, err := unmarshalBlob(append(enc, 0)); err == nil {
			t.Fatal("accepted trailing bytes")
		}
	}
}
