package streams

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
)

// ChunkSize is the most a Go-fed stream reads from its io.Reader per pull.
const ChunkSize = 64 << 10

// goSource is what feeds a stream made by NewReaderStream or NewBytesStream.
// Exactly one of r and data is set; done is set once the source is used up,
// cancelled or taken.
type goSource struct {
	r      io.ReadCloser
	data   []byte
	isData bool
	done   bool
	stream *goja.Object
}

// NewReaderStream returns a byte ReadableStream over r. Each pull reads up to
// ChunkSize bytes on a new goroutine and delivers them through the loop, so JS
// never waits on I/O; EOF closes the stream (and r), a read error errors it
// with a TypeError, and cancel closes r. Call on the loop goroutine.
//
// Until JS reads or locks the stream, Take gives r back: a body stream handed
// from one Response to another (`new Response(res.body)`) is not copied.
func (a *API) NewReaderStream(r io.ReadCloser) *goja.Object {
	return a.newGoStream(&goSource{r: r})
}

// NewBytesStream returns a byte ReadableStream that yields data as one chunk
// (a copy: JS owns what it reads). data must not change afterwards; Take
// gives it back while the stream is untouched.
func (a *API) NewBytesStream(data []byte) *goja.Object {
	return a.newGoStream(&goSource{data: data, isData: true})
}

func (a *API) newGoStream(src *goSource) *goja.Object {
	v, err := a.ensure().goStream(goja.Undefined(), a.vm.ToValue(src))
	if err != nil {
		panic(err)
	}
	src.stream = v.(*goja.Object)
	return src.stream
}

func (s *goSource) cancel() {
	if s.done {
		return
	}
	s.done = true
	if s.r != nil {
		r := s.r
		go r.Close() // a Read may be in flight; Close unblocks it
	}
	s.data = nil
}

// pull delivers the next chunk and returns a promise that settles after it.
func (a *API) pull(src *goSource) goja.Value {
	vm := a.vm
	p, resolve, _ := vm.NewPromise()
	if src.done {
		_ = resolve(goja.Undefined())
		return vm.ToValue(p)
	}
	if src.isData {
		data := src.data
		src.done, src.data = true, nil
		if len(data) > 0 {
			a.deliver(src, js.NewUint8Array(vm, append([]byte(nil), data...)), nil)
		}
		a.deliver(src, goja.Null(), nil)
		_ = resolve(goja.Undefined())
		return vm.ToValue(p)
	}
	// The result comes back through a reserved callback, which keeps the loop
	// (and `ferry run`) alive while the read is outstanding.
	done := a.loop.Reserve()
	r := src.r
	go func() {
		buf := make([]byte, ChunkSize)
		n, err := r.Read(buf)
		done(func(vm *goja.Runtime) error {
			defer func() { _ = resolve(goja.Undefined()) }()
			if src.done {
				return nil // cancelled meanwhile
			}
			if n > 0 {
				chunk := buf[:n]
				if n < ChunkSize/4 {
					chunk = append([]byte(nil), chunk...) // do not pin 64 KiB for a few bytes
				}
				a.deliver(src, js.NewUint8Array(vm, chunk), nil)
			}
			switch {
			case err == io.EOF:
				src.done = true
				go r.Close()
				a.deliver(src, goja.Null(), nil)
			case err != nil:
				src.done = true
				go r.Close()
				a.deliver(src, nil, vm.NewTypeError("Network connection lost: reading the body failed: "+err.Error()))
			}
			return nil
		})
	}()
	return vm.ToValue(p)
}

func (a *API) deliver(src *goSource, chunk goja.Value, err goja.Value) {
	e := goja.Undefined()
	if err != nil {
		e = err
	}
	if chunk == nil {
		chunk = goja.Null()
	}
	if _, ferr := a.ensure().goDeliver(goja.Undefined(), src.stream, chunk, e); ferr != nil {
		panic(ferr)
	}
}

// Take returns the Go source behind a stream made by NewReaderStream (r) or
// NewBytesStream (data, isData true) if JS has not read, locked or queued
// anything from it, and locks the stream for good; ok is false otherwise.
func (a *API) Take(stream goja.Value) (r io.ReadCloser, data []byte, isData, ok bool) {
	h, err := a.ensure().goTake(goja.Undefined(), stream)
	if err != nil || goja.IsUndefined(h) {
		return nil, nil, false, false
	}
	src, isSrc := h.Export().(*goSource)
	if !isSrc || src.done {
		return nil, nil, false, false
	}
	src.done = true
	return src.r, src.data, src.isData, true
}

// State reports whether a ReadableStream is locked to a reader and whether
// it has been read from (disturbed).
func (a *API) State(stream goja.Value) (locked, disturbed bool) {
	v, err := a.ensure().state(goja.Undefined(), stream)
	if err != nil {
		return false, false
	}
	bits := v.ToInteger()
	return bits&1 != 0, bits&2 != 0
}

// ExpectedLength returns the length a FixedLengthStream's readable side
// promises, or -1.
func (a *API) ExpectedLength(stream goja.Value) int64 {
	v, err := a.ensure().expectedLength(goja.Undefined(), stream)
	if err != nil || goja.IsUndefined(v) {
		return -1
	}
	return v.ToInteger()
}

// Tee splits a stream in two, the second branch getting structured clones of
// the chunks (byte streams copy), as Request.clone() and Response.clone() need.
func (a *API) Tee(stream goja.Value) (*goja.Object, *goja.Object) {
	v, err := a.ensure().tee(goja.Undefined(), stream)
	if err != nil {
		panic(err)
	}
	o := v.(*goja.Object)
	return o.Get("0").(*goja.Object), o.Get("1").(*goja.Object)
}

// ReadAll reads stream to its end on the loop and calls done with the bytes,
// or with the JS value the read failed with. Chunks must be BufferSources;
// more than limit bytes fail with a TypeError. The stream is locked at once
// (a locked stream throws a TypeError here).
func (a *API) ReadAll(stream goja.Value, limit int64, done func(data []byte, err goja.Value)) {
	vm := a.vm
	var buf []byte
	onChunk := func(call goja.FunctionCall) goja.Value {
		b, ok := js.Bytes(vm, call.Argument(0))
		if !ok {
			return vm.NewTypeError(notBytes(call.Argument(0)))
		}
		if int64(len(buf))+int64(len(b)) > limit {
			return vm.NewTypeError(fmt.Sprintf("body is larger than the limit of %d bytes", limit))
		}
		buf = append(buf, b...)
		return goja.Undefined()
	}
	onEnd := func(call goja.FunctionCall) goja.Value {
		if e := call.Argument(0); !goja.IsUndefined(e) {
			done(nil, e)
		} else {
			done(buf, nil)
		}
		return goja.Undefined()
	}
	if _, err := a.ensure().readAll(goja.Undefined(), stream, vm.ToValue(onChunk), vm.ToValue(onEnd)); err != nil {
		panic(err)
	}
}

// notBytes is workerd's complaint about a body stream chunk that is not bytes.
func notBytes(v goja.Value) string {
	if _, ok := v.Export().(string); ok {
		return "This ReadableStream did not return bytes (it returned a string; encode text with TextEncoder or pipe it through a TextEncoderStream)."
	}
	return "This ReadableStream did not return bytes."
}

// ErrReaderClosed is what a Reader's Read returns after Close.
var ErrReaderClosed = errors.New("the body stream was closed")

// Reader reads a JS ReadableStream from Go, from any goroutine but the
// loop's: each Read that needs data submits a task that reads one chunk and
// waits for it. It is how a Response or Request body made in JS reaches the
// HTTP server or client. Chunks must be BufferSources.
type Reader struct {
	a      *API
	scope  *loop.Scope
	done   <-chan struct{}
	reader goja.Value // the reader record; loop only

	results chan readResult // one outstanding read at a time
	closed  chan struct{}
	once    sync.Once

	// Owned by the goroutine calling Read.
	pending []byte
	err     error
}

type readResult struct {
	data []byte
	err  error
}

// NewReader locks stream to a new reader for Go to read. Call on the loop
// goroutine. Reads run as tasks of scope (nil: the loop's idle scope);
// done (may be nil) ends waiting reads when the scope's event is over, since
// a cancelled scope's tasks never run. It throws a TypeError if the stream is
// locked.
func (a *API) NewReader(stream goja.Value, scope *loop.Scope, done <-chan struct{}) *Reader {
	rd, err := a.ensure().acquire(goja.Undefined(), stream)
	if err != nil {
		panic(err)
	}
	return &Reader{a: a, scope: scope, done: done, reader: rd, results: make(chan readResult, 1), closed: make(chan struct{})}
}

// Read implements io.Reader. Do not call it on the loop goroutine: it waits
// for the loop.
func (r *Reader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		res := r.next()
		if res.err != nil {
			r.err = res.err
			return 0, res.err
		}
		r.pending = res.data
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

func (r *Reader) next() readResult {
	select {
	case <-r.closed:
		return readResult{err: ErrReaderClosed}
	default:
	}
	a := r.a
	ok := a.loop.Submit(r.scope, func(vm *goja.Runtime) error {
		send := func(res readResult) {
			select {
			case r.results <- res:
			default: // Close already gave up on this read
			}
		}
		chunk := func(call goja.FunctionCall) goja.Value {
			b, ok := js.Bytes(vm, call.Argument(0))
			if !ok {
				err := vm.NewTypeError(notBytes(call.Argument(0)))
				a.cancelReader(r.reader, err)
				send(readResult{err: errors.New(err.Get("message").String())})
				return goja.Undefined()
			}
			send(readResult{data: append([]byte(nil), b...)})
			return goja.Undefined()
		}
		end := func(goja.FunctionCall) goja.Value { send(readResult{err: io.EOF}); return goja.Undefined() }
		fail := func(call goja.FunctionCall) goja.Value {
			send(readResult{err: &StreamError{Value: describe(call.Argument(0))}})
			return goja.Undefined()
		}
		_, err := a.ensure().read(goja.Undefined(), r.reader, vm.ToValue(chunk), vm.ToValue(end), vm.ToValue(fail))
		return err
	})
	if !ok {
		return readResult{err: errors.New("the Worker's runtime has stopped")}
	}
	for {
		select {
		case res := <-r.results:
			if res.err == nil && len(res.data) == 0 {
				return r.next() // an empty chunk: read on
			}
			return res
		case <-r.closed:
			return readResult{err: ErrReaderClosed}
		case <-r.done:
			return readResult{err: errors.New("the request's event ended before the body stream did")}
		}
	}
}

// Close cancels the stream (with reason built on the loop; nil means an
// AbortError) unless it already ended, and makes pending and later Reads
// return ErrReaderClosed. Safe from any goroutine, more than once.
func (r *Reader) CloseWithReason(reason func(vm *goja.Runtime) goja.Value) error {
	r.once.Do(func() {
		close(r.closed)
		r.a.loop.Submit(r.scope, func(vm *goja.Runtime) error {
			var v goja.Value
			if reason != nil {
				v = reason(vm)
			} else {
				v = js.NewDOMException(vm, "AbortError", "The body stream's reader went away (the client disconnected).")
			}
			r.a.cancelReader(r.reader, v)
			return nil
		})
	})
	return nil
}

// Close is CloseWithReason(nil).
func (r *Reader) Close() error { return r.CloseWithReason(nil) }

func (a *API) cancelReader(reader, reason goja.Value) {
	_, _ = a.ensure().cancelReaderFn(goja.Undefined(), reader, reason)
}

// StreamError is a JS stream that errored, seen from Go.
type StreamError struct{ Value string }

func (e *StreamError) Error() string { return "the body stream errored: " + e.Value }

// describe renders a JS error value for a log line: "TypeError: message".
func describe(v goja.Value) string {
	if obj, ok := v.(*goja.Object); ok {
		name, msg := obj.Get("name"), obj.Get("message")
		if name != nil && msg != nil && !goja.IsUndefined(msg) {
			return name.String() + ": " + msg.String()
		}
	}
	if v == nil {
		return "undefined"
	}
	return v.String()
}
