package fetch

import (
	"fmt"
	"io"
	"reflect"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/file"
	"github.com/ferry-run/ferry/core/webapi/formdata"
)

// source is where a body's bytes come from when they are not in a stream:
// bytes already in memory, or a Go reader (an incoming request, a fetch()
// response) read once, off the loop goroutine, the first time JS asks (or
// handed to the host as is). Clones share a source of bytes.
type source struct {
	data    []byte
	r       io.ReadCloser
	err     error
	loading bool
	waiters []func(data []byte, err error)
	// size is the length r announced (an incoming request's Content-Length),
	// -1 or 0 when unknown: load reads into one buffer of that size.
	size int64
	// a is the fetch family of the runtime, for bodies that stream (a Go
	// reader from fetch(), a ReadableStream); nil for plain bytes.
	a *api
}

// Body is the state of a Request's or Response's body; stream.go says how
// bodies and streams relate.
type Body struct {
	src  *source // nil: no body (null)
	used bool
	// stream is the body's ReadableStream: made on first access to `body`, or
	// the stream the body was made from (then src has no bytes or reader).
	stream *goja.Object
}

func bytesBody(b []byte) Body { return Body{src: &source{data: b}} }

// IsNull reports whether there is no body at all.
func (b *Body) IsNull() bool { return b.src == nil }

// Bytes returns the body's bytes if they are in memory (ok false when the body
// is an unread Go reader or a stream).
func (b *Body) Bytes() (data []byte, ok bool) {
	if b.src == nil {
		return nil, true
	}
	if b.stream != nil || b.src.r != nil || b.src.loading {
		return nil, false
	}
	return b.src.data, true
}

// Streaming reports whether the body is not all in memory: an unread Go
// reader or a ReadableStream, which the host reads as it comes (core keeps
// the event open meanwhile).
func (b *Body) Streaming() bool {
	return b.src != nil && (b.stream != nil || b.src.r != nil || b.src.loading)
}

// Reader returns the body as a Go reader for the host writing it out (or
// sending it with fetch); the caller must close it. Call it on the loop
// goroutine; read it from any other. Closing it early (the client went away)
// cancels a body stream, and so whatever feeds it.
func (b *Body) Reader() io.ReadCloser {
	switch {
	case b.src == nil:
		return nil
	case b.stream != nil:
		return b.src.a.reader(b)
	case b.src.r != nil && !b.src.loading:
		r := b.src.r
		b.src.r = nil
		return r
	default:
		return &bytesReader{b: b.src.data}
	}
}

// bytesReader reads a body that is in memory. A host that wants the bytes
// whole (to send them with their Content-Length) takes them with Bytes
// instead of copying them out.
type bytesReader struct{ b []byte }

func (r *bytesReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// Bytes returns the bytes not yet read and consumes them. The caller must
// not modify them (they may be shared with clones of the body).
func (r *bytesReader) Bytes() []byte {
	b := r.b
	r.b = nil
	return b
}

func (r *bytesReader) Close() error { return nil }

// load delivers the body's bytes to cb on the loop goroutine.
func (s *source) load(l *loop.Loop, limit int64, cb func([]byte, error)) {
	if s.r == nil && !s.loading {
		cb(s.data, s.err)
		return
	}
	s.waiters = append(s.waiters, cb)
	if s.loading {
		return
	}
	s.loading = true
	r := s.r
	s.r = nil
	done := l.Reserve()
	go func() {
		data, err := readAll(r, s.size, limit)
		_ = r.Close()
		if err == nil && int64(len(data)) > limit {
			err = fmt.Errorf("body is larger than the limit of %d bytes", limit)
			data = nil
		}
		done(func(*goja.Runtime) error {
			s.data, s.err, s.loading = data, err, false
			ws := s.waiters
			s.waiters = nil
			for _, w := range ws {
				w(data, err)
			}
			return nil
		})
	}()
}

// maxPresize bounds the buffer allocated up front on the strength of a
// Content-Length: a sender announcing 100 MiB and sending nothing must not
// cost 100 MiB.
const maxPresize = 1 << 20

// readAll reads r to its end, up to limit+1 bytes (one more than allowed, so
// that the caller sees the excess). With the announced size known, the bytes
// land in one allocation instead of io.ReadAll's growing series.
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size > limit || size > maxPresize {
		return io.ReadAll(io.LimitReader(r, limit+1))
	}
	// One spare byte: the read that reports EOF needs room to be made.
	b := make([]byte, 0, size+1)
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // more than announced: grow as ReadAll does
		}
	}
}

const bodyUsedMessage = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."

// consume implements the Body mixin's read methods: it returns a promise for
// conv(bytes), rejected with a TypeError when the body was already used and with
// whatever conv throws.
func (a *api) consume(b *Body, conv func([]byte) goja.Value) goja.Value {
	vm := a.vm
	p, resolve, reject := vm.NewPromise()
	if a.used(b) {
		_ = reject(vm.NewTypeError(bodyUsedMessage))
		return vm.ToValue(p)
	}
	if b.src == nil {
		_ = resolve(conv(nil))
		return vm.ToValue(p)
	}
	if b.stream != nil {
		if locked, _ := a.streams().State(b.stream); locked {
			_ = reject(vm.NewTypeError("The body's ReadableStream is locked to a reader."))
			return vm.ToValue(p)
		}
		b.used = true
		a.readStream(b, func(data []byte, jsErr goja.Value) {
			if jsErr != nil {
				_ = reject(jsErr)
				return
			}
			var v goja.Value
			if ex := vm.Try(func() { v = conv(data) }); ex != nil {
				_ = reject(ex.Value())
				return
			}
			_ = resolve(v)
		})
		return vm.ToValue(p)
	}
	b.used = true
	b.src.load(a.loop, a.maxBody, func(data []byte, err error) {
		if err != nil {
			_ = reject(vm.NewTypeError("reading body: " + err.Error()))
			return
		}
		var v goja.Value
		if ex := vm.Try(func() { v = conv(data) }); ex != nil {
			_ = reject(ex.Value())
			return
		}
		_ = resolve(v)
	})
	return vm.ToValue(p)
}

// defineBodyMethods adds text/json/arrayBuffer/bytes/blob/formData and bodyUsed/body to a
// prototype whose instances expose their *Body through get.
func (a *api) defineBodyMethods(c *js.Class, get func(goja.FunctionCall) *Body) {
	vm := a.vm
	c.Method("text", func(call goja.FunctionCall) goja.Value {
		return a.consume(get(call), func(b []byte) goja.Value { return vm.ToValue(decodeUTF8(b)) })
	})
	c.Method("json", func(call goja.FunctionCall) goja.Value {
		return a.consume(get(call), func(b []byte) goja.Value {
			if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
				b = b[3:] // UTF-8 decode drops a BOM
			}
			// JSON.parse(text) in Go, from the bytes: ParseJSON decodes
			// them as text() does (bad UTF-8 becomes U+FFFD).
			return js.ParseJSON(vm, b)
		})
	})
	c.Method("arrayBuffer", func(call goja.FunctionCall) goja.Value {
		return a.consume(get(call), func(b []byte) goja.Value {
			return vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), b...)))
		})
	})
	c.Method("bytes", func(call goja.FunctionCall) goja.Value {
		return a.consume(get(call), func(b []byte) goja.Value {
			return js.NewUint8Array(vm, append([]byte(nil), b...))
		})
	})
	c.Method("blob", func(call goja.FunctionCall) goja.Value {
		b := get(call)
		ct, _ := contentType(call.This)
		return a.consume(b, func(data []byte) goja.Value {
			// Body bytes are never modified once loaded, so the Blob shares them.
			return a.files.Wrap(file.NewBlob(data, ct))
		})
	})
	c.Method("formData", func(call goja.FunctionCall) goja.Value {
		b := get(call)
		ct, _ := contentType(call.This)
		return a.consume(b, func(data []byte) goja.Value {
			parts, err := formdata.Parse(ct, data)
			if err != nil {
				panic(vm.NewTypeError(err.Error()))
			}
			return a.forms.New(parts)
		})
	})
	c.Getter("bodyUsed", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(a.used(get(call)))
	})
	c.Getter("body", func(call goja.FunctionCall) goja.Value {
		return a.bodyStream(get(call))
	})
}

// decodeUTF8 is the Encoding Standard's "UTF-8 decode", as the Body mixin's
// text() uses it: a leading BOM is dropped, each maximal ill-formed
// subsequence becomes one U+FFFD.
func decodeUTF8(b []byte) string {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	return js.DecodeUTF8(b)
}

// contentType returns the Content-Type of the Request or Response v.
func contentType(v goja.Value) (string, bool) {
	if r, ok := js.Unwrap[*Request](v); ok {
		return r.headers.Value("content-type")
	}
	if r, ok := js.Unwrap[*Response](v); ok {
		return r.headers.Value("content-type")
	}
	return "", false
}

// installBodyTypes installs Blob, File and FormData, which bodies can be made
// from and read as, and gives Blob.stream() the body stream class.
func (a *api) installBodyTypes() {
	a.files = file.Install(a.vm)
	a.forms = formdata.Install(a.vm, a.files)
	a.files.NewStream = func(data []byte) goja.Value {
		return a.streams().NewBytesStream(data)
	}
}

// Files returns the runtime's Blob and File API (for families such as
// structuredClone that make Blobs from Go).
func (a *API) Files() *file.API { return a.files }

// extractBody converts a BodyInit to a body and the Content-Type it implies.
// A ReadableStream gives up its Go source (takeStream) or becomes the body's
// stream (jsStreamBody). Strings and the Go-backed kinds (Blob, FormData,
// buffers) are recognised without a call into the streams script; a Go-fed
// stream JS has not touched (the body of another Response, as in
// new Response(res.body, res)) costs one.
func (a *api) extractBody(v goja.Value) (body Body, contentType string) {
	if _, isObj := v.(*goja.Object); !isObj {
		data, ct := a.extractBytes(v)
		return bytesBody(data), ct
	}
	if data, ct, ok := a.goBytes(v, false); ok {
		return bytesBody(data), ct
	}
	if b, ok := a.takeStream(v); ok {
		return b, ""
	}
	if a.streams().IsReadableStream(v) {
		return a.jsStreamBody(v), ""
	}
	data, ct := a.extractBytes(v) // a DataView, URLSearchParams, any object
	return bytesBody(data), ct
}

// goBytes converts the BodyInit kinds backed by Go state (Blob and File,
// FormData, ArrayBuffer and views) to bytes. Unless views is set, only
// ArrayBuffers and typed arrays are tried as buffers: they are told apart by
// their Go type, while js.Bytes exports any other object (a ReadableStream
// into a map) to learn that it is not a DataView.
func (a *api) goBytes(v goja.Value, views bool) (data []byte, contentType string, ok bool) {
	// A Blob's bytes are immutable, so the body shares them.
	if b, ok := file.Unwrap(v); ok {
		return b.Bytes(), b.Type(), true
	}
	if f, ok := formdata.Unwrap(v); ok {
		data, ct := f.Multipart()
		return data, ct, true
	}
	if obj, isObj := v.(*goja.Object); isObj && !views {
		if t := obj.ExportType(); t != arrayBufferType && (t == nil || t.Kind() != reflect.Slice) {
			return nil, "", false
		}
	}
	if b, ok := js.Bytes(a.vm, v); ok {
		return append([]byte(nil), b...), "", true
	}
	return nil, "", false
}

var arrayBufferType = reflect.TypeFor[goja.ArrayBuffer]()

// extractBytes converts a non-stream BodyInit to bytes.
func (a *api) extractBytes(v goja.Value) (data []byte, contentType string) {
	if goja.IsString(v) {
		return []byte(v.String()), "text/plain;charset=UTF-8"
	}
	if data, ct, ok := a.goBytes(v, true); ok {
		return data, ct
	}
	return otherBytes(v)
}

// otherBytes converts what is left of BodyInit: URLSearchParams, and
// anything else through its string value.
func otherBytes(v goja.Value) (data []byte, contentType string) {
	if obj, ok := v.(*goja.Object); ok {
		tag := obj.GetSymbol(goja.SymToStringTag)
		if tag != nil {
			switch tag.String() {
			case "URLSearchParams":
				return []byte(obj.String()), "application/x-www-form-urlencoded;charset=UTF-8"
			}
		}
	}
	return []byte(v.String()), "text/plain;charset=UTF-8"
}
