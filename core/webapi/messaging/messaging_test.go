package messaging_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/events"
	"github.com/ferry-run/ferry/core/webapi/messaging"
)

func newLoop(t *testing.T) *loop.Loop {
	t.Helper()
	vm := goja.New()
	l := loop.New(vm)
	events.Install(l)
	clone.Install(vm)
	messaging.Install(l)
	return l
}

func runIn(t *testing.T, l *loop.Loop, s *loop.Scope, src string) goja.Value {
	t.Helper()
	var v goja.Value
	var err error
	l.RunTask(s, func(vm *goja.Runtime) error {
		v, err = vm.RunString(src)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

// A message posted on behalf of a request that ends before delivery (its
// scope cancelled, so its delivery task is skipped) is delivered with the
// next message, in order, rather than lost or left blocking the queue.
func TestMessagesOutliveTheirRequest(t *testing.T) {
	l := newLoop(t)
	first := loop.NewScope(0)
	runIn(t, l, first, `globalThis.got = []; globalThis.ch = new MessageChannel(); ch.port2.onmessage = (e) => got.push(e.data); ch.port1.postMessage("a")`)
	first.Cancel()
	l.RunUntilIdle()
	if v := runIn(t, l, nil, `got.join()`); v.String() != "" {
		t.Fatalf("delivered %q in a cancelled scope", v)
	}
	runIn(t, l, loop.NewScope(0), `ch.port1.postMessage("b")`)
	l.RunUntilIdle()
	if v := runIn(t, l, nil, `got.join()`); v.String() != "a,b" {
		t.Errorf("got %q, want a,b", v)
	}
}

// Messages on a port nobody started do not keep RunUntilIdle from returning;
// queued deliveries do.
func TestIdle(t *testing.T) {
	l := newLoop(t)
	runIn(t, l, nil, `globalThis.got = []; globalThis.ch = new MessageChannel(); ch.port1.postMessage(1); ch.port2.addEventListener("message", (e) => got.push(e.data))`)
	l.RunUntilIdle() // returns: nothing is queued
	runIn(t, l, nil, `ch.port2.start()`)
	l.RunUntilIdle()
	if v := runIn(t, l, nil, `got.join()`); v.String() != "1" {
		t.Errorf("got %q after start()", v)
	}
}
