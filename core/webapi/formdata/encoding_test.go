package formdata

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-run/ferry/core/webapi/file"
)

func TestNormalizeNewlines(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb", "a\r\nb"},
		{"a\rb", "a\r\nb"},
		{"a\r\nb", "a\r\nb"},
		{"\n\r", "\r\n\r\n"},
		{"\r\r\n\n", "\r\n\r\n\r\n"},
	} {
		if got := normalizeNewlines(tt.in); got != tt.want {
			t.Errorf("normalizeNewlines(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Multipart output must be readable by an independent parser (Go's
// mime/multipart, as servers use it) with names, filenames, types and bytes
// intact.
func TestMultipartReadsBackWithStandardLibrary(t *testing.T) {
	f := &FormData{entries: []Entry{
		{Name: "field", Value: "line1\nline2"},
		{Name: "é名", Value: "ünïcode"},
		{Name: "upload", File: file.NewFile([]byte{0, 1, 2, 255}, "photo.png", "image/png", 1)},
		{Name: "untyped", File: file.NewFile([]byte("x"), "x.bin", "", 1)},
		{Name: "empty", File: file.NewFile(nil, "", "", 1)},
	}}
	body, ct := f.Multipart()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("content type %q: %v", ct, err)
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	type got struct{ name, filename, ctype, data string }
	var parts []got
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, got{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(data)})
	}
	want := []got{
		{"field", "", "", "line1\r\nline2"},
		{"é名", "", "", "ünïcode"},
		{"upload", "photo.png", "image/png", "\x00\x01\x02\xff"},
		{"untyped", "x.bin", "application/octet-stream", "x"},
		{"empty", "", "application/octet-stream", ""},
	}
	if !reflect.DeepEqual(parts, want) {
		t.Errorf("parts:\n got %q\nwant %q", parts, want)
	}
}

func TestParse(t *testing.T) {
	const b = "multipart/form-data; boundary=BB"
	part := func(headers, data string) string { return "--BB\r\n" + headers + "\r\n\r\n" + data + "\r\n" }
	for _, tt := range []struct {
		name, ct, body string
		want           []Part
		err            error
		errPrefix      string
	}{
		{name: "fields and files", ct: b,
			body: part(`Content-Disposition: form-data; name="a"`, "1") +
				part(`Content-Disposition: form-data; name="f"; filename="dir/x.txt"`+"\r\nContent-Type: text/csv", "a,b") +
				part(`Content-Disposition: form-data; name="g"; filename=""`, "") + "--BB--\r\n",
			want: []Part{
				{Name: "a", Value: "1"},
				{Name: "f", IsFile: true, Filename: "dir/x.txt", Type: "text/csv", Data: []byte("a,b")},
				{Name: "g", IsFile: true, Filename: "", Type: "text/plain", Data: []byte{}},
			}},
		{name: "no parts", ct: b, body: "--BB--\r\n", want: nil},
		{name: "quoted-printable is not decoded", ct: b,
			body: part("Content-Disposition: form-data; name=q\r\nContent-Transfer-Encoding: quoted-printable", "a=3Db") + "--BB--",
			want: []Part{{Name: "q", Value: "a=3Db"}}},
		{name: "invalid UTF-8 values are replaced", ct: b,
			body: part(`Content-Disposition: form-data; name="v"`, "\xff\xfe") + "--BB--",
			want: []Part{{Name: "v", Value: "\uFFFD\uFFFD"}}},
		{name: "urlencoded", ct: "application/x-www-form-urlencoded;charset=UTF-8", body: "a=b+c&&d=%e2%82%ac&e",
			want: []Part{{Name: "a", Value: "b c"}, {Name: "d", Value: "€"}, {Name: "e", Value: ""}}},
		{name: "no content type", ct: "", err: ErrNoContentType},
		{name: "other type", ct: "text/plain", err: ErrUnsupportedType},
		{name: "unparsable type", ct: "/", err: ErrUnsupportedType},
		{name: "no boundary", ct: "multipart/form-data", err: ErrNoBoundary},
		{name: "empty boundary", ct: `multipart/form-data; boundary=""`, err: ErrBoundaryLength},
		{name: "empty body", ct: b, body: "", err: ErrNoInitialBoundary},
		{name: "truncated", ct: b, body: part(`Content-Disposition: form-data; name="a"`, "1"), err: ErrNoNextBoundary},
		{name: "truncated in data", ct: b, body: "--BB\r\nContent-Disposition: form-data; name=a\r\n\r\nabc", err: ErrNoNextBoundary},
		{name: "no disposition", ct: b, body: part("X: y", "") + "--BB--", err: ErrNoDisposition},
		{name: "bad disposition", ct: b, body: part(`Content-Disposition: form-data; name="a`, "") + "--BB--", err: ErrInvalidDisposition},
		{name: "no name", ct: b, body: part(`Content-Disposition: form-data; filename="f"`, "") + "--BB--", err: ErrNoName},
		{name: "not form-data", ct: b, body: part(`Content-Disposition: inline; name="a"`, "") + "--BB--",
			errPrefix: `Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "inline; name="a""`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.ct, []byte(tt.body))
			switch {
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
			case tt.errPrefix != "":
				if err == nil || !strings.HasPrefix(err.Error(), tt.errPrefix) {
					t.Fatalf("err = %v, want %q", err, tt.errPrefix)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(got, tt.want):
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseURLEncoded(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []Part
	}{
		{"", nil},
		{"&&", nil},
		{"a", []Part{{Name: "a"}}},
		{"=v", []Part{{Name: "", Value: "v"}}},
		{"a=1=2", []Part{{Name: "a", Value: "1=2"}}},
		{"%41%4=%zz+", []Part{{Name: "A%4", Value: "%zz "}}},
		{"%FF=%C3%A9", []Part{{Name: "\uFFFD", Value: "é"}}},
	} {
		if got := ParseURLEncoded([]byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseURLEncoded(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
