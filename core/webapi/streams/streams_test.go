package streams_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/streams"
)

func TestOf(t *testing.T) {
	l := newLoop(t)
	a := streams.Of(l.VM())
	if a == nil {
		t.Fatal("Of found no API on a runtime with streams installed")
	}
	if streams.Of(goja.New()) != nil {
		t.Fatal("Of found an API on a bare runtime")
	}
	vm := l.VM()
	for src, want := range map[string][2]bool{
		"new ReadableStream()":           {true, false},
		"new WritableStream()":           {false, true},
		"new TransformStream()":          {false, false},
		"({ getReader() {} })":           {false, false},
		"new TransformStream().readable": {true, false},
	} {
		v, err := vm.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]bool{a.IsReadableStream(v), a.IsWritableStream(v)}; got != want {
			t.Errorf("%s: readable/writable %v, want %v", src, got, want)
		}
	}
}

// NewTransform builds TransformStreams driven from Go, as CompressionStream is.
func TestNewTransform(t *testing.T) {
	l := newLoop(t)
	vm := l.VM()
	a := streams.Of(vm)
	var cancelled string
	r, w := a.NewTransform(streams.Transformer{
		Transform: func(chunk goja.Value, enqueue func(goja.Value)) error {
			s := chunk.String()
			if s == "bad" {
				return streams.JSError(vm.NewTypeError("bad chunk"))
			}
			if s == "go" {
				return errors.New("a Go error")
			}
			enqueue(vm.ToValue(strings.ToUpper(s)))
			enqueue(vm.ToValue(s))
			return nil
		},
		Flush: func(enqueue func(goja.Value)) error {
			enqueue(vm.ToValue("end"))
			return nil
		},
		Cancel: func(reason goja.Value) { cancelled = reason.String() },
	})
	_ = vm.Set("r", r)
	_ = vm.Set("w", w)
	var out goja.Value
	l.RunTask(nil, func(vm *goja.Runtime) error {
		var err error
		out, err = vm.RunString(`(async () => {
			const writer = w.getWriter();
			writer.write("a"); writer.write("b"); writer.close();
			const reader = r.getReader(), got = [];
			for (let x = await reader.read(); !x.done; x = await reader.read()) got.push(x.value);
			return got.join(",");
		})()`)
		return err
	})
	l.RunUntilIdle()
	if out == nil {
		t.Fatal("the script failed")
	}
	p := out.Export().(*goja.Promise)
	if p.State() != goja.PromiseStateFulfilled || p.Result().String() != "A,a,B,b,end" {
		t.Fatalf("got %v %v", p.State(), p.Result())
	}

	for chunk, want := range map[string]string{"bad": "TypeError: bad chunk", "go": "GoError: a Go error"} {
		r, w := a.NewTransform(streams.Transformer{
			Transform: func(chunk goja.Value, enqueue func(goja.Value)) error {
				if chunk.String() == "bad" {
					return streams.JSError(vm.NewTypeError("bad chunk"))
				}
				return errors.New("a Go error")
			},
			Cancel: func(reason goja.Value) { cancelled = reason.String() },
		})
		_ = vm.Set("r", r)
		_ = vm.Set("w", w)
		_ = vm.Set("chunk", chunk)
		l.RunTask(nil, func(vm *goja.Runtime) error {
			var err error
			out, err = vm.RunString(`(async () => {
				const read = r.getReader().read();
				w.getWriter().write(chunk).catch(() => {});
				try { await read; return "no error"; } catch (e) { return String(e); }
			})()`)
			return err
		})
		l.RunUntilIdle()
		if got := out.Export().(*goja.Promise).Result().String(); !strings.HasPrefix(got, want) {
			t.Errorf("%s: stream failed with %q, want %q", chunk, got, want)
		}
	}

	r, _ = a.NewTransform(streams.Transformer{
		Transform: func(goja.Value, func(goja.Value)) error { return nil },
		Cancel:    func(reason goja.Value) { cancelled = reason.String() },
	})
	_ = vm.Set("r", r)
	l.RunTask(nil, func(vm *goja.Runtime) error { _, err := vm.RunString(`r.cancel("stop")`); return err })
	l.RunUntilIdle()
	if cancelled != "stop" {
		t.Fatalf("Cancel got %q", cancelled)
	}
}

// The script is compiled once; each runtime gets its own classes.
func TestRuntimesAreIndependent(t *testing.T) {
	a, b := newLoop(t).VM(), newLoop(t).VM()
	ra, _ := a.RunString("ReadableStream")
	rb, _ := b.RunString("ReadableStream")
	if ra.(*goja.Object) == rb.(*goja.Object) {
		t.Fatal("two runtimes share a constructor")
	}
	_, _ = a.RunString("ReadableStream.prototype.getReader = null")
	v, err := b.RunString("typeof new ReadableStream().getReader")
	if err != nil || v.String() != "function" {
		t.Fatalf("patching one runtime changed the other: %v %v", v, err)
	}
}

// Take gives back the Go source of a stream JS has not touched, once.
func TestTake(t *testing.T) {
	l := newLoop(t)
	vm := l.VM()
	a := streams.Of(vm)
	r := io.NopCloser(strings.NewReader("data"))
	s := a.NewReaderStream(r)
	got, _, isData, ok := a.Take(s)
	if !ok || isData || got != r {
		t.Fatalf("Take = %v %v %v", got, isData, ok)
	}
	if _, _, _, ok := a.Take(s); ok {
		t.Fatal("a source was taken twice")
	}
	if locked, disturbed := a.State(s); !locked || !disturbed {
		t.Fatalf("a taken stream is locked %v, disturbed %v", locked, disturbed)
	}

	b := a.NewBytesStream([]byte("bytes"))
	_ = vm.Set("b", b)
	if _, err := vm.RunString(`b.getReader().read()`); err != nil {
		t.Fatal(err)
	}
	if _, _, _, ok := a.Take(b); ok {
		t.Fatal("took a stream JS has read")
	}
	c := a.NewBytesStream([]byte("bytes"))
	if _, data, isData, ok := a.Take(c); !ok || !isData || string(data) != "bytes" {
		t.Fatalf("Take of bytes = %q %v %v", data, isData, ok)
	}
	for _, src := range []string{"new ReadableStream()", "({})", "5"} {
		v, _ := vm.RunString(src)
		if _, _, _, ok := a.Take(v); ok {
			t.Errorf("took %s", src)
		}
	}
}

// ReadAll reads a JS stream on the loop and keeps it locked, as Fetch's
// "fully read" does; non-bytes and oversized bodies fail with TypeErrors.
func TestReadAll(t *testing.T) {
	l := newLoop(t)
	vm := l.VM()
	a := streams.Of(vm)
	for _, tc := range []struct {
		src, want, err string
		limit          int64
	}{
		{`ReadableStream.from([new Uint8Array([104, 105]), new Uint8Array(0), new Uint8Array([33])])`, "hi!", "", 100},
		{`ReadableStream.from(["str"])`, "", "TypeError: This ReadableStream did not return bytes", 100},
		{`ReadableStream.from([new Uint8Array(10)])`, "", "TypeError: body is larger than the limit of 5 bytes", 5},
		{`new ReadableStream({ start(c) { c.error(new SyntaxError("bad")); } })`, "", "SyntaxError: bad", 100},
	} {
		var got []byte
		var gotErr goja.Value
		done := false
		l.RunTask(nil, func(vm *goja.Runtime) error {
			s, err := vm.RunString(tc.src)
			if err != nil {
				return err
			}
			a.ReadAll(s, tc.limit, func(data []byte, err goja.Value) { got, gotErr, done = data, err, true })
			return nil
		})
		l.RunUntilIdle()
		if !done {
			t.Fatalf("%s: ReadAll never finished", tc.src)
		}
		if tc.err != "" {
			if gotErr == nil || !strings.HasPrefix(gotErr.String(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.src, gotErr, tc.err)
			}
			continue
		}
		if gotErr != nil || string(got) != tc.want {
			t.Errorf("%s: got %q, %v", tc.src, got, gotErr)
		}
	}
}
