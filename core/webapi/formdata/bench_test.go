package formdata

import (
	"testing"

	"github.com/ferry-run/ferry/core/webapi/file"
)

// A typical upload: three short fields and a 1 MiB file.
func benchForm() *FormData {
	return &FormData{entries: []Entry{
		{Name: "title", Value: "Holiday"},
		{Name: "tags", Value: "sea, sun"},
		{Name: "note", Value: "line 1\nline 2"},
		{Name: "photo", File: file.NewFile(make([]byte, 1<<20), "beach.jpg", "image/jpeg", 1)},
	}}
}

func BenchmarkMultipart(b *testing.B) {
	f := benchForm()
	b.SetBytes(1 << 20)
	for b.Loop() {
		f.Multipart()
	}
}

func BenchmarkParseMultipart(b *testing.B) {
	body, ct := benchForm().Multipart()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Parse(ct, body); err != nil {
			b.Fatal(err)
		}
	}
}
