package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core"
)

// These tests pin how core follows a pending promise a fetch handler
// returns: it calls the promise's then, so a patched then, a thenable, a
// Promise subclass and a constructor getter (the built-in then reads
// promise.constructor) all observe the call; the response is taken when the
// promise settles, not after the microtasks queued behind it; and the promise
// may settle in any later task, including another event's. A faster path
// (reading a native promise's State after tasks instead of calling then)
// must keep every one of these: a per-scope check, tried for issue #9,
// fails the constructor, settlement and other-event cases.

func TestHandlerPromiseSettlement(t *testing.T) {
	f := newWorker(t, "testdata/settle/plain.js", core.Options{Runtimes: 1, WallLimit: 10 * time.Second})
	for _, tt := range []struct{ path, want string }{
		{"/thenable", "from a thenable"},
		{"/subclass", "from a subclass"},
		{"/ctor-getter", "constructor read"},
		{"/timer", "after a timer"},
	} {
		t.Run(tt.path[1:], func(t *testing.T) {
			r := f.do(t, "GET", tt.path, "")
			if r.err != nil || r.status != 200 || r.body != tt.want {
				t.Fatalf("got %v %d %q, want 200 %q", r.err, r.status, r.body, tt.want)
			}
		})
	}
	t.Run("subclass species", func(t *testing.T) {
		// then on a subclass builds its derived promise with the subclass:
		// the subclass constructor runs once for core's then.
		f.do(t, "GET", "/subclass", "")
		if r := f.do(t, "GET", "/subclass-count", ""); r.body != "2" {
			t.Fatalf("subclass constructed %s times, want 2 (the handler's promise and then's)", r.body)
		}
	})
	t.Run("constructor getter", func(t *testing.T) {
		// The built-in then reads promise.constructor (SpeciesConstructor).
		f.do(t, "GET", "/ctor-getter", "")
		if r := f.do(t, "GET", "/ctor-count", ""); r.body != "1" {
			t.Fatalf("constructor read %s times, want 1", r.body)
		}
	})
	t.Run("response taken at settlement", func(t *testing.T) {
		r := f.do(t, "GET", "/late-header", "")
		if r.err != nil || r.body != "taken at settlement" {
			t.Fatalf("got %v %q", r.err, r.body)
		}
		if v := r.header.Get("X-Late"); v != "" {
			t.Fatalf("a header set in a microtask after the promise settled reached the client (X-Late: %s)", v)
		}
	})
	t.Run("rejected in a later timer", func(t *testing.T) {
		r := f.do(t, "GET", "/reject-later", "")
		var se *core.ScriptError
		if !errors.As(r.err, &se) || !strings.Contains(se.Error(), "boom in a later timer") {
			t.Fatalf("err = %v, want the rejection's error", r.err)
		}
		if strings.Contains(f.log.String(), "Unhandled promise rejection") {
			t.Fatalf("the handler's rejection was also reported as unhandled:\n%s", f.log.String())
		}
	})
	t.Run("settled by another event", func(t *testing.T) {
		waiting := make(chan result, 1)
		go func() { waiting <- f.do(t, "GET", "/wait", "") }()
		// Release until the waiter has been registered (the two requests
		// share the one runtime).
		for {
			r := f.do(t, "GET", "/release", "")
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.body == "1" {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if r := <-waiting; r.err != nil || r.body != "released by another request" {
			t.Fatalf("waiting request got %v %q", r.err, r.body)
		}
	})
}

func TestPatchedThenIsCalled(t *testing.T) {
	f := newWorker(t, "testdata/settle/patched.js", core.Options{Runtimes: 1, WallLimit: 10 * time.Second})
	r := f.do(t, "GET", "/", "")
	if r.err != nil || r.body != "patched then" {
		t.Fatalf("got %v %q", r.err, r.body)
	}
	if c := f.do(t, "GET", "/count", ""); c.body != "1" {
		t.Fatalf("the patched then was called %s times on the returned promise, want 1", c.body)
	}
}
