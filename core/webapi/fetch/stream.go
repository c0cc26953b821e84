package fetch

import (
	"context"
	"errors"
	"io"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/streams"
)

// Bodies are streams end to end. A body is one of:
//
//   - bytes in memory (strings, buffers, Blobs, FormData...);
//   - an unread Go reader (an incoming request, a fetch() response);
//   - a ReadableStream: the one `body` returned (made on first access, over
//     the bytes or the Go reader), or one a script passed to new Response().
//
// Go readers and bytes are only turned into JS streams when JS asks for
// `body`. A stream made that way which JS has not read or locked is still
// just its Go source (streams.API.Take), so `new Response(res.body, res)`
// hands the upstream reader to the server without a chunk passing through JS.
// Everything else is read chunk by chunk: by the HTTP server and client
// through a streams.Reader, by text()/json()... through ReadAll.

// streams returns the runtime's streams family.
func (a *api) streams() *streams.API { return streams.Of(a.vm) }

// installStream checks that the streams family is there: ReadableStream is
// its class, bodies use it.
func (a *api) installStream() {
	if streams.Of(a.vm) == nil {
		panic("fetch: install core/webapi/streams before fetch")
	}
}

const streamUnusable = "This ReadableStream is disturbed (has already been read from), or locked to a reader, and cannot be used as a body."

// bodyStream returns the body's ReadableStream, making it on first access.
func (a *api) bodyStream(b *Body) goja.Value {
	if b.IsNull() {
		return goja.Null()
	}
	if b.stream == nil {
		st := a.streams()
		src := b.src
		switch {
		case src.r != nil && !src.loading:
			b.stream = st.NewReaderStream(src.r)
			src.r = nil
		case b.used || src.loading:
			// Already consumed by text() and friends: a stream that is
			// locked and disturbed, as the standard's would be.
			b.stream = st.NewBytesStream(nil)
			st.Take(b.stream)
		default:
			b.stream = st.NewBytesStream(src.data)
		}
		src.a = a
	}
	return b.stream
}

// used reports the Body mixin's bodyUsed: consumed by a read method, or its
// stream read from.
func (a *api) used(b *Body) bool {
	if b.used {
		return true
	}
	if b.stream != nil {
		_, disturbed := a.streams().State(b.stream)
		return disturbed
	}
	return false
}

// takeStream makes a body (BodyInit) from the source of a Go-fed stream JS
// has not touched (false for anything else, streams or not). Take succeeds only on
// an untouched stream, so it comes first: the common case (a body handed
// from one Response to the next) costs one call into the streams script.
func (a *api) takeStream(v goja.Value) (Body, bool) {
	r, data, isData, ok := a.streams().Take(v)
	switch {
	case !ok:
		return Body{}, false
	case isData:
		return bytesBody(data), true
	default:
		return Body{src: &source{r: r, a: a}}, true
	}
}

// jsStreamBody makes a body read from the ReadableStream v, which Take
// refused.
func (a *api) jsStreamBody(v goja.Value) Body {
	if locked, disturbed := a.streams().State(v); locked || disturbed {
		panic(a.vm.NewTypeError(streamUnusable))
	}
	return Body{src: &source{a: a}, stream: v.(*goja.Object)}
}

// cloneBody implements "clone a body" for Request.clone() and
// Response.clone(): bytes are shared (they never change); anything that
// streams is teed, each body getting a branch.
func (a *api) cloneBody(b *Body) Body {
	if b.IsNull() {
		return Body{}
	}
	if b.stream == nil && (b.src.r == nil || b.src.loading) {
		return Body{src: b.src, used: b.used}
	}
	s := a.bodyStream(b)
	if locked, disturbed := a.streams().State(s); locked || disturbed {
		panic(a.vm.NewTypeError(bodyUsedMessage))
	}
	one, two := a.streams().Tee(s)
	b.stream = one
	return Body{src: &source{a: a}, stream: two}
}

// readStream is consume() for a body whose bytes come through its stream.
func (a *api) readStream(b *Body, settle func([]byte, goja.Value)) {
	st := a.streams()
	if r, data, isData, ok := st.Take(b.stream); ok {
		if isData {
			settle(data, nil)
			return
		}
		src := &source{r: r}
		src.load(a.loop, a.maxBody, func(data []byte, err error) {
			if err != nil {
				settle(nil, a.vm.NewTypeError("reading body: "+err.Error()))
				return
			}
			settle(data, nil)
		})
		return
	}
	st.ReadAll(b.stream, a.maxBody, settle)
}

// reader is Body.Reader with the family at hand.
func (a *api) reader(b *Body) io.ReadCloser {
	st := a.streams()
	if r, data, isData, ok := st.Take(b.stream); ok {
		if isData {
			return &bytesReader{b: data}
		}
		return r
	}
	if locked, _ := st.State(b.stream); locked {
		return errReader{errors.New("the body's ReadableStream is locked to a reader, so it cannot be sent")}
	}
	ctx := context.Background()
	if a.opts.Context != nil {
		ctx = a.opts.Context()
	}
	return st.NewReader(b.stream, a.loop.Current(), ctx.Done())
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
func (e errReader) Close() error             { return nil }
