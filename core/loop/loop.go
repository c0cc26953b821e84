// Package loop is the event loop that owns one goja runtime: a task queue, timers,
// counted callbacks for Go work that finishes on other goroutines, CPU-time
// accounting per request, and unhandled-rejection reporting.
//
// Invariants:
//   - Only the loop goroutine touches the runtime. Other goroutines hand work in with
//     Submit or through a callback obtained from Reserve.
//   - Every task runs on behalf of a Scope (a request, a scheduled event, a script).
//     The JS time a task takes — including the promise jobs it triggers, which goja
//     runs before returning to Go — is charged to that scope. When a scope runs out
//     of CPU time the VM is interrupted, only that task ends, and the scope is told.
//   - A callback from Reserve must be called exactly once; until then the loop
//     counts it as pending work (RunUntilIdle does not return).
//
// Example:
//
//	l := loop.New(vm)
//	s := loop.NewScope(50 * time.Millisecond)
//	l.Submit(s, func(vm *goja.Runtime) error { _, err := vm.RunString("1+1"); return err })
//	l.RunUntilIdle()
package loop

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Task is work run on the loop goroutine. The error it returns is charged to the
// task's scope: an *goja.InterruptedError caused by the CPU limit marks the scope as
// exceeded, any other error is reported through the scope's OnError.
type Task func(vm *goja.Runtime) error

// ErrCPULimit is the reason an interrupted scope reports.
var ErrCPULimit = errors.New("Worker exceeded CPU time limit")

// Scope is the unit JS time is charged to. Create it with NewScope; it is only
// touched on the loop goroutine, except Cancel and Used which are safe anywhere.
type Scope struct {
	// Limit is the CPU time the scope may use in JS; 0 means no limit.
	Limit time.Duration
	// OnError receives errors from the scope's tasks (uncaught exceptions from
	// timer callbacks, the CPU limit, panics in native code). Runs on the loop.
	OnError func(err error)
	// OnUnhandledRejection receives promises rejected with no handler by the end
	// of one of the scope's tasks. Runs on the loop.
	OnUnhandledRejection func(reason goja.Value)

	mu        sync.Mutex
	used      time.Duration
	cancelled bool
	exceeded  bool
}

// NewScope returns a scope with the given CPU limit (0 = unlimited).
func NewScope(limit time.Duration) *Scope { return &Scope{Limit: limit} }

// Used returns the JS time charged to the scope so far.
func (s *Scope) Used() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used
}

// Exceeded reports whether the scope was interrupted for exceeding its limit.
func (s *Scope) Exceeded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exceeded
}

// Cancel ends the scope: its pending timers are dropped and tasks submitted for it
// later are skipped (reserved callbacks still release their count).
func (s *Scope) Cancel() {
	s.mu.Lock()
	s.cancelled = true
	s.mu.Unlock()
}

func (s *Scope) isCancelled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

type queued struct {
	scope *Scope
	task  Task
	// reserved marks a task that settles a Reserve count.
	reserved bool
}

// Loop runs tasks for one goja runtime. See the package comment for its rules.
type Loop struct {
	vm *goja.Runtime

	mu       sync.Mutex
	queue    []queued
	reserved int
	stopped  bool
	wake     chan struct{}

	// Owned by the loop goroutine.
	timers    timerHeap
	timerByID map[int64]*timer
	nextID    int64
	seq       uint64
	current   *Scope
	rejected  []*goja.Promise
	running   bool
	idleScope *Scope
	dog       watchdog
	thread    threadRun
}

// threadRun is the OS thread a run of limited tasks executes on. The loop
// goroutine is locked to one thread from the first limited task of a run
// (the tasks and timers ready at one wake-up) to the end of the run, and
// consecutive tasks share clock readings: the end of one task is the start
// of the next. A task then costs one read of the thread's CPU clock (a
// system call) instead of three (thread id, start, end). Locking for good
// is worse: every wake-up of a locked goroutine is an OS thread switch.
type threadRun struct {
	locked bool
	clock  cpuClock
	last   time.Duration // clock at the end of the last limited task
	fresh  bool          // last is the clock now, give or take loop bookkeeping
}

// endThreadRun unlocks the loop goroutine from its thread at the end of a
// run of tasks.
func (l *Loop) endThreadRun() {
	if l.thread.locked {
		runtime.UnlockOSThread()
		l.thread = threadRun{}
	}
}

// New creates a loop for vm and installs setTimeout, setInterval, clearTimeout,
// clearInterval and queueMicrotask on its global object.
func New(vm *goja.Runtime) *Loop {
	l := &Loop{
		vm:        vm,
		wake:      make(chan struct{}, 1),
		timerByID: map[int64]*timer{},
		idleScope: NewScope(0),
	}
	l.dog.l = l
	vm.SetPromiseRejectionTracker(l.trackRejection)
	l.installTimers()
	return l
}

// VM returns the runtime the loop owns. Use it only on the loop goroutine.
func (l *Loop) VM() *goja.Runtime { return l.vm }

// Current returns the scope of the task running now (nil outside tasks).
func (l *Loop) Current() *Scope { return l.current }

// Submit queues task to run on the loop on behalf of scope. Safe from any
// goroutine. Returns false if the loop has stopped.
func (l *Loop) Submit(scope *Scope, task Task) bool {
	return l.enqueue(queued{scope: scope, task: task})
}

func (l *Loop) enqueue(q queued) bool {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, q)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	return true
}

// Reserve must be called on the loop goroutine (inside a task). It counts one
// pending operation and returns the function that completes it: call it exactly
// once, from any goroutine, with the task that delivers the result (for example
// resolving a promise). The task runs on behalf of the scope current at Reserve
// time. Calling the returned function after Stop runs nothing but still
// releases the count.
func (l *Loop) Reserve() func(Task) {
	scope := l.current
	if scope == nil {
		scope = l.idleScope
	}
	l.mu.Lock()
	l.reserved++
	l.mu.Unlock()
	var once sync.Once
	return func(t Task) {
		called := false
		once.Do(func() {
			called = true
			if !l.enqueue(queued{scope: scope, task: t, reserved: true}) {
				l.mu.Lock()
				l.reserved--
				l.mu.Unlock()
			}
		})
		if !called {
			panic("loop: reserved callback called twice")
		}
	}
}

// Stop ends Run: queued tasks that have not started are dropped.
func (l *Loop) Stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run processes tasks and timers until Stop is called.
func (l *Loop) Run() { l.run(false) }

// RunUntilIdle processes tasks and timers until nothing is queued, no timer is
// pending and no reserved callback is outstanding (or Stop is called).
func (l *Loop) RunUntilIdle() { l.run(true) }

func (l *Loop) run(untilIdle bool) {
	var wait *time.Timer
	defer func() {
		l.endThreadRun()
		if wait != nil {
			wait.Stop()
		}
	}()
	for {
		l.mu.Lock()
		if l.stopped {
			l.mu.Unlock()
			return
		}
		batch := l.queue
		l.queue = nil
		l.mu.Unlock()

		for i, q := range batch {
			if q.reserved {
				l.mu.Lock()
				l.reserved--
				l.mu.Unlock()
			}
			l.runTask(q.scope, q.task)
			batch[i] = queued{}
		}
		ranTimers := l.runDueTimers()
		if len(batch) > 0 || ranTimers {
			continue
		}
		l.endThreadRun()

		// Nothing runnable: wait for a task, a due timer or Stop.
		l.mu.Lock()
		idle := len(l.queue) == 0 && l.reserved == 0 && l.liveTimers() == 0
		pending := len(l.queue) > 0
		l.mu.Unlock()
		if pending {
			continue
		}
		if untilIdle && idle {
			return
		}
		var timerC <-chan time.Time
		if t := l.nextTimer(); t != nil {
			d := time.Until(t.due)
			if d <= 0 {
				continue
			}
			if wait == nil {
				wait = time.NewTimer(d)
			} else {
				wait.Reset(d)
			}
			timerC = wait.C
		}
		select {
		case <-l.wake:
		case <-timerC:
		}
		if wait != nil && timerC != nil {
			wait.Stop()
		}
	}
}

// RunTask runs task now on behalf of scope. Call it only on the loop goroutine
// when the loop is not running (for example to evaluate a script before Run).
func (l *Loop) RunTask(scope *Scope, task Task) {
	l.runTask(scope, task)
	l.endThreadRun()
}

func (l *Loop) runTask(scope *Scope, task Task) {
	if scope == nil {
		scope = l.idleScope
	}
	if scope.isCancelled() {
		return
	}
	prev := l.current
	l.current = scope
	defer func() { l.current = prev }()

	// A limited scope is charged the CPU time of the OS thread the task runs
	// on; the goroutine stays locked to that thread until the loop runs out
	// of ready work (see threadRun; a task never blocks, so the lock costs
	// no thread hand-offs).
	var elapsed time.Duration
	var err error
	fired := false
	if scope.Limit > 0 {
		remaining := scope.Limit - scope.Used()
		if remaining <= 0 {
			l.exceed(scope)
			return
		}
		t := &l.thread
		if !t.locked {
			runtime.LockOSThread()
			t.locked, t.clock, t.fresh = true, threadClock(), false
		}
		if !t.fresh {
			t.last = t.clock.now()
		}
		start := t.last
		l.dog.arm(t.clock, start, remaining)
		err = l.protect(task)
		t.last = t.clock.now()
		t.fresh = true
		elapsed = t.last - start
		fired = l.dog.disarm()
		l.vm.ClearInterrupt()
	} else {
		start := wallClock.now()
		err = l.protect(task)
		elapsed = wallClock.now() - start
		l.thread.fresh = false
	}
	scope.mu.Lock()
	scope.used += elapsed
	scope.mu.Unlock()

	// The watchdog's firing is what counts, not the task's error: an interrupt
	// raised inside promise jobs that a Go-side resolve() ran never reaches the
	// task's return value.
	if fired {
		l.exceed(scope)
		l.reportRejections(scope)
		return
	}
	var ie *goja.InterruptedError
	switch {
	case err == nil:
	case errors.As(err, &ie) && ie.Value() == ErrCPULimit:
		l.exceed(scope)
	default:
		if scope.OnError != nil {
			scope.OnError(err)
		}
	}
	l.reportRejections(scope)
}

func (l *Loop) exceed(scope *Scope) {
	scope.mu.Lock()
	already := scope.exceeded
	scope.exceeded = true
	scope.mu.Unlock()
	l.rejected = l.rejected[:0]
	if !already && scope.OnError != nil {
		scope.OnError(ErrCPULimit)
	}
	scope.Cancel()
}

// protect runs task, turning a Go panic (a bug in native code, or a JS value
// thrown with panic outside a JS call) into an error so the loop survives.
func (l *Loop) protect(task Task) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch v := r.(type) {
			case *goja.InterruptedError:
				err = v
			case *goja.Exception:
				err = v
			case goja.Value:
				err = fmt.Errorf("uncaught %s", v.String())
			default:
				err = fmt.Errorf("internal error: %v", r)
			}
		}
	}()
	return task(l.vm)
}

func (l *Loop) trackRejection(p *goja.Promise, op goja.PromiseRejectionOperation) {
	switch op {
	case goja.PromiseRejectionReject:
		l.rejected = append(l.rejected, p)
	case goja.PromiseRejectionHandle:
		for i, q := range l.rejected {
			if q == p {
				l.rejected = append(l.rejected[:i], l.rejected[i+1:]...)
				break
			}
		}
	}
}

func (l *Loop) reportRejections(scope *Scope) {
	if len(l.rejected) == 0 {
		return
	}
	list := l.rejected
	l.rejected = nil
	for _, p := range list {
		if scope.OnUnhandledRejection != nil {
			scope.OnUnhandledRejection(p.Result())
		}
	}
}

// ---- timers ----

type timer struct {
	id       int64
	due      time.Time
	interval time.Duration
	repeat   bool
	fn       goja.Callable
	args     []goja.Value
	scope    *Scope
	seq      uint64
	index    int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].due.Equal(h[j].due) {
		return h[i].seq < h[j].seq
	}
	return h[i].due.Before(h[j].due)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// liveTimers counts timers whose scope is still live; called on the loop.
func (l *Loop) liveTimers() int {
	n := 0
	for _, t := range l.timers {
		if !t.scope.isCancelled() {
			n++
		}
	}
	return n
}

func (l *Loop) nextTimer() *timer {
	for len(l.timers) > 0 {
		t := l.timers[0]
		if t.scope.isCancelled() {
			heap.Pop(&l.timers)
			delete(l.timerByID, t.id)
			continue
		}
		return t
	}
	return nil
}

func (l *Loop) runDueTimers() bool {
	ran := false
	now := time.Now()
	for {
		t := l.nextTimer()
		if t == nil || t.due.After(now) {
			return ran
		}
		heap.Pop(&l.timers)
		if t.repeat {
			l.seq++
			t.seq = l.seq
			t.due = now.Add(t.interval)
			heap.Push(&l.timers, t)
		} else {
			delete(l.timerByID, t.id)
		}
		ran = true
		fn, args := t.fn, t.args
		l.runTask(t.scope, func(vm *goja.Runtime) error {
			_, err := fn(goja.Undefined(), args...)
			return err
		})
	}
}

// PendingTimers returns the number of live timers (for tests and diagnostics).
func (l *Loop) PendingTimers() int { return l.liveTimers() }

func (l *Loop) addTimer(call goja.FunctionCall, repeat bool) goja.Value {
	fn, ok := goja.AssertFunction(call.Argument(0))
	if !ok {
		panic(l.vm.NewTypeError("The callback provided as parameter 1 is not a function."))
	}
	d := call.Argument(1).ToFloat()
	if math.IsNaN(d) || d < 0 {
		d = 0
	}
	if d > math.MaxInt32 {
		d = 1 // as browsers and Workers do for out-of-range delays
	}
	delay := time.Duration(d * float64(time.Millisecond))
	if repeat && delay < time.Millisecond {
		delay = time.Millisecond
	}
	var args []goja.Value
	if len(call.Arguments) > 2 {
		args = append(args, call.Arguments[2:]...)
	}
	scope := l.current
	if scope == nil {
		scope = l.idleScope
	}
	l.nextID++
	l.seq++
	t := &timer{id: l.nextID, due: time.Now().Add(delay), interval: delay, repeat: repeat,
		fn: fn, args: args, scope: scope, seq: l.seq}
	heap.Push(&l.timers, t)
	l.timerByID[t.id] = t
	return l.vm.ToValue(t.id)
}

func (l *Loop) clearTimer(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return goja.Undefined()
	}
	id := v.ToInteger()
	if t, ok := l.timerByID[id]; ok {
		delete(l.timerByID, id)
		if t.index >= 0 {
			heap.Remove(&l.timers, t.index)
		}
	}
	return goja.Undefined()
}

func (l *Loop) installTimers() {
	vm := l.vm
	g := vm.GlobalObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = g.Set(name, fn)
	}
	set("setTimeout", func(c goja.FunctionCall) goja.Value { return l.addTimer(c, false) })
	set("setInterval", func(c goja.FunctionCall) goja.Value { return l.addTimer(c, true) })
	set("clearTimeout", l.clearTimer)
	set("clearInterval", l.clearTimer)
	set("queueMicrotask", func(c goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(c.Argument(0))
		if !ok {
			panic(vm.NewTypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'."))
		}
		p, resolve, _ := vm.NewPromise()
		then, _ := goja.AssertFunction(vm.ToValue(p).ToObject(vm).Get("then"))
		_, _ = then(vm.ToValue(p), vm.ToValue(func(goja.FunctionCall) goja.Value {
			if _, err := fn(goja.Undefined()); err != nil {
				if ex, ok := err.(*goja.Exception); ok {
					panic(ex.Value())
				}
				// An interrupt: goja re-raises it when control returns to the VM.
			}
			return goja.Undefined()
		}))
		_ = resolve(nil)
		return goja.Undefined()
	})
}
