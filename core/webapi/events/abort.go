package events

import (
	"container/heap"
	"math"
	"time"
	"weak"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
)

// Default abort reasons, worded as workerd words them.
const (
	abortMessage   = "The operation was aborted"
	timeoutMessage = "The operation was aborted due to timeout"
)

// signal is the state of an AbortSignal (https://dom.spec.whatwg.org/#interface-AbortSignal).
type signal struct {
	Target
	a      *api
	obj    *goja.Object
	reason goja.Value // nil until aborted
	// aborted is reason != nil; kept apart because any value, even undefined
	// from Go, may be a reason.
	aborted    bool
	algorithms []*algorithm

	// AbortSignal.any: a dependent signal follows its sources, which are
	// never dependent themselves. A source holds its dependents weakly (a
	// dependent nobody can observe may be collected) and strongly once the
	// dependent has abort listeners or algorithms (pinned), as the standard
	// requires.
	dependent  bool
	sources    []*signal
	dependents []weak.Pointer[signal]
	pinned     map[*signal]struct{}
}

type algorithm struct {
	fn      func(reason goja.Value)
	removed bool
}

// controller is the state of an AbortController.
type controller struct{ signal *signal }

func (a *api) newSignal() *signal {
	obj := a.vm.CreateObject(a.signalProto)
	s := &signal{a: a, obj: obj}
	SetInternal(a.vm, obj, s)
	return s
}

// addAlgorithm is the DOM's "add an algorithm": fn runs when the signal
// aborts, before the abort event. It returns the function that removes it.
func (s *signal) addAlgorithm(fn func(goja.Value)) func() {
	if s.aborted {
		return func() {}
	}
	al := &algorithm{fn: fn}
	s.algorithms = append(s.algorithms, al)
	s.pin()
	return func() {
		if al.removed {
			return
		}
		al.removed = true
		for i, o := range s.algorithms {
			if o == al {
				s.algorithms = append(s.algorithms[:i], s.algorithms[i+1:]...)
				break
			}
		}
	}
}

// pin makes the sources of a dependent signal hold it strongly: it has
// something to run when they abort.
func (s *signal) pin() {
	if !s.dependent || s.aborted {
		return
	}
	for _, src := range s.sources {
		if src.pinned == nil {
			src.pinned = map[*signal]struct{}{}
		}
		src.pinned[s] = struct{}{}
	}
}

// signalAbort is the DOM's "signal abort". A nil reason means the default
// AbortError DOMException.
func (a *api) signalAbort(s *signal, reason goja.Value) {
	if s.aborted {
		return
	}
	if reason == nil || goja.IsUndefined(reason) {
		reason = a.newDOMException(a.domException, a.vm.ToValue("AbortError"), a.vm.ToValue(abortMessage))
	}
	s.aborted, s.reason = true, reason
	var follow []*signal
	for _, w := range s.dependents {
		if d := w.Value(); d != nil && !d.aborted {
			d.aborted, d.reason = true, reason
			follow = append(follow, d)
		}
	}
	s.dependents, s.pinned = nil, nil
	a.runAbortSteps(s)
	for _, d := range follow {
		a.runAbortSteps(d)
	}
}

// runAbortSteps runs the abort algorithms, then fires "abort".
func (a *api) runAbortSteps(s *signal) {
	algos := s.algorithms
	s.algorithms = nil
	for _, al := range algos {
		if !al.removed {
			al.removed = true
			al.fn(s.reason)
		}
	}
	_, e := NewEvent(a.vm, "abort", EventInit{})
	a.dispatch(s.obj, &s.Target, e)
}

// follow links the dependent signal d to its source src.
func follow(d, src *signal) {
	for _, o := range d.sources {
		if o == src {
			return
		}
	}
	d.sources = append(d.sources, src)
	// Drop dependents that were collected before the list grows.
	if n := len(src.dependents); n >= 8 && n&(n-1) == 0 {
		live := src.dependents[:0]
		for _, w := range src.dependents {
			if w.Value() != nil {
				live = append(live, w)
			}
		}
		clear(src.dependents[len(live):])
		src.dependents = live
	}
	src.dependents = append(src.dependents, weak.Make(d))
}

func (a *api) installAbort(n *goja.Object, controllerCtor *goja.Object) {
	vm := a.vm
	a.signalProto = a.signalCtor.Get("prototype").(*goja.Object)
	cproto := controllerCtor.Get("prototype").(*goja.Object)
	a.controllerProto = cproto

	_ = n.Set("abortController", func(call goja.FunctionCall) goja.Value {
		SetInternal(vm, call.Argument(0).(*goja.Object), &controller{signal: a.newSignal()})
		return goja.Undefined()
	})
	ctl := func(call goja.FunctionCall) *controller {
		if c, ok := InternalAs[*controller](call.This); ok {
			return c
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	a.getter(cproto, "signal", func(call goja.FunctionCall) goja.Value { return ctl(call).signal.obj })
	a.method(cproto, "abort", 0, func(call goja.FunctionCall) goja.Value {
		a.signalAbort(ctl(call).signal, call.Argument(0))
		return goja.Undefined()
	})

	proto := a.signalProto
	sig := func(call goja.FunctionCall) *signal {
		if s, ok := InternalAs[*signal](call.This); ok {
			return s
		}
		panic(vm.NewTypeError("Illegal invocation"))
	}
	a.getter(proto, "aborted", func(call goja.FunctionCall) goja.Value { return vm.ToValue(sig(call).aborted) })
	a.getter(proto, "reason", func(call goja.FunctionCall) goja.Value {
		if s := sig(call); s.aborted {
			return s.reason
		}
		return goja.Undefined()
	})
	a.method(proto, "throwIfAborted", 0, func(call goja.FunctionCall) goja.Value {
		if s := sig(call); s.aborted {
			panic(s.reason)
		}
		return goja.Undefined()
	})
	DefineEventHandler(vm, proto, "abort", nil)

	ctor := a.signalCtor
	a.method(ctor, "abort", 0, func(call goja.FunctionCall) goja.Value {
		s := a.newSignal()
		a.signalAbort(s, call.Argument(0))
		return s.obj
	})
	a.method(ctor, "timeout", 1, func(call goja.FunctionCall) goja.Value {
		requireArgs(vm, call, "AbortSignal", "timeout", 1)
		ms := call.Argument(0).ToFloat()
		if math.IsNaN(ms) || math.IsInf(ms, 0) || ms < 0 || ms > 1<<53-1 {
			panic(vm.NewTypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range."))
		}
		return a.timeoutSignal(time.Duration(math.Trunc(ms)) * time.Millisecond).obj
	})
	a.method(ctor, "any", 1, func(call goja.FunctionCall) goja.Value {
		requireArgs(vm, call, "AbortSignal", "any", 1)
		list := a.signalList(call.Argument(0))
		return a.anySignal(list).obj
	})
}

// signalList converts a sequence<AbortSignal>.
func (a *api) signalList(v goja.Value) []*signal {
	vm := a.vm
	if _, ok := v.(*goja.Object); !ok {
		panic(vm.NewTypeError("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence."))
	}
	var list []*signal
	vm.ForOf(v, func(item goja.Value) bool {
		s, ok := InternalAs[*signal](item)
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'."))
		}
		list = append(list, s)
		return true
	})
	return list
}

// anySignal is the DOM's "create a dependent abort signal".
func (a *api) anySignal(list []*signal) *signal {
	res := a.newSignal()
	for _, s := range list {
		if s.aborted {
			res.aborted, res.reason = true, s.reason
			return res
		}
	}
	res.dependent = true
	res.onListen = res.pin
	for _, s := range list {
		if !s.dependent {
			follow(res, s)
			continue
		}
		for _, src := range s.sources {
			follow(res, src)
		}
	}
	return res
}

// timeoutSignal returns a signal that aborts with a TimeoutError after d.
//
// Timeout signals have their own timer list, apart from the loop's, so a
// pending timeout does not keep `ferry run` (RunUntilIdle) alive, as in Node
// and Deno: one Go timer is armed for the earliest entry, and when it fires
// the due aborts are queued as loop tasks, in order of due time then creation
// (if the loop still runs).
func (a *api) timeoutSignal(d time.Duration) *signal {
	s := a.newSignal()
	a.timeoutSeq++
	heap.Push(&a.timeouts, &timeout{due: time.Now().Add(d), seq: a.timeoutSeq, s: s, scope: a.loop.Current()})
	a.armTimeouts()
	return s
}

type timeout struct {
	due   time.Time
	seq   uint64
	s     *signal
	scope *loop.Scope
}

type timeoutHeap []*timeout

func (h timeoutHeap) Len() int { return len(h) }
func (h timeoutHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h timeoutHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timeoutHeap) Push(x any)   { *h = append(*h, x.(*timeout)) }
func (h *timeoutHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}

// armTimeouts points the Go timer at the earliest timeout. Loop goroutine.
func (a *api) armTimeouts() {
	if len(a.timeouts) == 0 {
		return
	}
	due := a.timeouts[0].due
	if a.timer != nil && a.timerArmed && !due.Before(a.timerDue) {
		return
	}
	a.timerDue, a.timerArmed = due, true
	if a.timer == nil {
		a.timer = time.AfterFunc(time.Until(due), func() { a.loop.Submit(nil, a.fireTimeouts) })
	} else {
		a.timer.Reset(time.Until(due))
	}
}

// fireTimeouts queues the abort of every due timeout signal, each on behalf
// of the scope that created it, and re-arms the timer.
func (a *api) fireTimeouts(vm *goja.Runtime) error {
	a.timerArmed = false
	now := time.Now()
	for len(a.timeouts) > 0 && !a.timeouts[0].due.After(now) {
		t := heap.Pop(&a.timeouts).(*timeout)
		a.loop.Submit(t.scope, func(vm *goja.Runtime) error {
			a.signalAbort(t.s, a.newDOMException(a.domException, vm.ToValue("TimeoutError"), vm.ToValue(timeoutMessage)))
			return nil
		})
	}
	a.armTimeouts()
	return nil
}

// NewAbortSignal returns a new AbortSignal and the function that aborts it
// (reason nil or undefined: an AbortError DOMException), as an
// AbortController would; for Request.signal and other signals the runtime
// owns.
func NewAbortSignal(vm *goja.Runtime) (*goja.Object, func(reason goja.Value)) {
	a := apiOf(vm)
	s := a.newSignal()
	return s.obj, func(reason goja.Value) { a.signalAbort(s, reason) }
}

// IsAbortSignal reports whether v is an AbortSignal.
func IsAbortSignal(v goja.Value) bool {
	_, ok := InternalAs[*signal](v)
	return ok
}

// Aborted returns the abort reason of the AbortSignal v and whether it has
// aborted (false for anything that is not an AbortSignal).
func Aborted(v goja.Value) (reason goja.Value, aborted bool) {
	s, ok := InternalAs[*signal](v)
	if !ok || !s.aborted {
		return nil, false
	}
	return s.reason, true
}

// OnAbort runs fn with the reason when the AbortSignal v aborts, before its
// abort event fires, and returns the function that cancels the subscription
// (call it when the operation completes, so long-lived signals do not
// accumulate callbacks). fn never runs for a signal that has already aborted:
// check Aborted first. For a value that is not an AbortSignal OnAbort does
// nothing. fn runs on the loop goroutine; it must not throw.
func OnAbort(v goja.Value, fn func(reason goja.Value)) (unsubscribe func()) {
	s, ok := InternalAs[*signal](v)
	if !ok {
		return func() {}
	}
	return s.addAlgorithm(fn)
}
