package fetch_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// host is a runtime with every Web API, whose loop runs on its own goroutine
// as in a Worker, so Go can read bodies as the HTTP server does.
type host struct {
	t   *testing.T
	l   *loop.Loop
	api *fetch.API
}

func newHost(t *testing.T) *host {
	vm := goja.New()
	l := loop.New(vm)
	h := &host{t: t, l: l, api: webapi.Install(l, webapi.Options{})}
	go l.Run()
	t.Cleanup(l.Stop)
	return h
}

// on runs fn on the loop and waits for it.
func (h *host) on(fn func(vm *goja.Runtime)) {
	h.t.Helper()
	done := make(chan struct{})
	h.l.Submit(nil, func(vm *goja.Runtime) error { defer close(done); fn(vm); return nil })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		h.t.Fatal("the loop did not run the task")
	}
}

// eval evaluates src on the loop.
func (h *host) eval(src string) goja.Value {
	h.t.Helper()
	var v goja.Value
	var err error
	h.on(func(vm *goja.Runtime) { v, err = vm.RunString(src) })
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// response evaluates src to a Response and returns its headers and body
// reader, as core does when a fetch handler returns.
func (h *host) response(src string) (http.Header, io.ReadCloser) {
	h.t.Helper()
	var hdr http.Header
	var body io.ReadCloser
	h.on(func(vm *goja.Runtime) {
		v, err := vm.RunString(src)
		if err != nil {
			h.t.Fatal(err)
		}
		res, ok := fetch.ToResponse(v)
		if !ok {
			h.t.Fatalf("%s is not a Response", src)
		}
		hdr, body = res.HTTPHeader(), res.Body().Reader()
	})
	return hdr, body
}

type trackedBody struct {
	io.Reader
	mu     sync.Mutex
	closed bool
}

func (b *trackedBody) Close() error { b.mu.Lock(); b.closed = true; b.mu.Unlock(); return nil }
func (b *trackedBody) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// A request body JS did not read goes to the response as the same Go reader:
// proxying copies nothing through JS.
func TestUntouchedBodyStreamIsHandedOver(t *testing.T) {
	h := newHost(t)
	in := &trackedBody{Reader: strings.NewReader("payload")}
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("POST", "http://x/", http.Header{}, in, nil))
	})
	_, body := h.response(`new Response(req.body)`)
	if body != io.ReadCloser(in) {
		t.Fatalf("the response body is a %T, not the request's reader", body)
	}
	if used := h.eval(`req.bodyUsed`); !used.ToBoolean() {
		t.Error("the request still claims its body")
	}
}

// request.body streams the incoming body chunk by chunk, read off the loop.
func TestIncomingBodyStreams(t *testing.T) {
	h := newHost(t)
	pr, pw := io.Pipe()
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("POST", "http://x/", http.Header{}, pr, nil))
	})
	h.eval(`globalThis.got = []; (async () => {
		const reader = req.body.getReader();
		for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(new TextDecoder().decode(r.value));
		got.push("end");
	})()`)
	for _, part := range []string{"first", "second"} {
		if _, err := pw.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(h.eval(`got.join(",")`).String(), part) {
			if time.Now().After(deadline) {
				t.Fatalf("%q did not reach JS before the body ended", part)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	pw.Close()
	deadline := time.Now().Add(5 * time.Second)
	for h.eval(`got.join(",")`).String() != "first,second,end" {
		if time.Now().After(deadline) {
			t.Fatalf("got %s", h.eval(`got.join(",")`))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A Response over a JS stream is read from Go as the stream produces;
// closing the reader early cancels the stream.
func TestJSStreamBodyReadFromGo(t *testing.T) {
	h := newHost(t)
	_, body := h.response(`globalThis.cancelled = null; globalThis.n = 0;
		new Response(new ReadableStream({
			pull(c) { c.enqueue(new TextEncoder().encode("chunk" + (n++) + ";")); },
			cancel(reason) { cancelled = reason.name + ": " + reason.message; },
		}, { highWaterMark: 0 }))`)
	buf := make([]byte, 6)
	var got bytes.Buffer
	for got.Len() < 21 {
		k, err := body.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(buf[:k])
	}
	if !strings.HasPrefix(got.String(), "chunk0;chunk1;chunk2;") {
		t.Fatalf("read %q", got.String())
	}
	body.Close()
	if _, err := body.Read(buf); err == nil {
		t.Fatal("read after close succeeded")
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.eval(`cancelled`).String() == "null" {
		if time.Now().After(deadline) {
			t.Fatal("closing the body did not cancel the stream")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c := h.eval(`cancelled`).String(); !strings.HasPrefix(c, "AbortError") {
		t.Errorf("cancelled with %s", c)
	}
}

func TestJSStreamBodyErrors(t *testing.T) {
	h := newHost(t)
	for _, tc := range []struct{ src, want string }{
		{`new Response(ReadableStream.from(["text"]))`, "did not return bytes"},
		{`new Response(new ReadableStream({ pull(c) { c.error(new RangeError("broke")); } }))`, "RangeError: broke"},
	} {
		_, body := h.response(tc.src)
		_, err := io.ReadAll(body)
		body.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.src, err, tc.want)
		}
	}
	// A body stream the script still holds a reader on cannot be sent.
	_, body := h.response(`const r = new Response(ReadableStream.from([new Uint8Array(1)])); r.body.getReader(); r`)
	if _, err := io.ReadAll(body); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Errorf("locked body: %v", err)
	}
}

func TestFixedLengthStreamSetsContentLength(t *testing.T) {
	h := newHost(t)
	hdr, body := h.response(`const { readable, writable } = new FixedLengthStream(5);
		const w = writable.getWriter(); w.write(new Uint8Array([1, 2, 3])); w.write(new Uint8Array([4, 5])); w.close();
		new Response(readable)`)
	defer body.Close()
	if cl := hdr.Get("Content-Length"); cl != "5" {
		t.Errorf("Content-Length = %q", cl)
	}
	if b, err := io.ReadAll(body); err != nil || !bytes.Equal(b, []byte{1, 2, 3, 4, 5}) {
		t.Errorf("body %v, %v", b, err)
	}
}

// clone() of a body still on the wire tees it: both read everything, and
// the original can still be handed to the host.
func TestCloneOfIncomingBody(t *testing.T) {
	h := newHost(t)
	h.on(func(vm *goja.Runtime) {
		_ = vm.Set("req", h.api.NewIncomingRequest("POST", "http://x/", http.Header{}, io.NopCloser(strings.NewReader("shared")), nil))
	})
	h.eval(`globalThis.copy = req.clone(); globalThis.text = null; copy.text().then(t => { text = t; })`)
	_, body := h.response(`new Response(req.body)`)
	b, err := io.ReadAll(body)
	if err != nil || string(b) != "shared" {
		t.Fatalf("original: %q %v", b, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.eval(`text`).String() != "shared" {
		if time.Now().After(deadline) {
			t.Fatalf("clone read %v", h.eval(`text`))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fetch() sends a ReadableStream request body chunk by chunk and streams the
// response body back.
func TestFetchStreamsBothWays(t *testing.T) {
	srv := upstream(t)
	got := runJS(t, fetch.Options{AllowPrivate: true}, srv.URL, `
		const body = ReadableStream.from(["a", "b", "c"]).pipeThrough(new TextEncoderStream());
		const res = await fetch(BASE + "/echo", { method: "POST", body });
		const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
		let text = "";
		for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
		return res.status + " " + text;`)
	if got != "201 abc" {
		t.Fatalf("got %q", got)
	}
}
