package loop

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func run(t *testing.T, l *Loop, s *Scope, src string) {
	t.Helper()
	l.RunTask(s, func(vm *goja.Runtime) error { _, err := vm.RunString(src); return err })
}

func TestTimersFireInOrderOfDueTime(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	start := time.Now() // before the timers are set: they are due 20ms after it at the earliest
	run(t, l, nil, `
		globalThis.out = [];
		setTimeout(() => out.push("b"), 20);
		setTimeout((x) => out.push(x), 0, "a");
		setTimeout(() => out.push("c"), 20);
		const id = setTimeout(() => out.push("never"), 5);
		clearTimeout(id);
		queueMicrotask(() => out.push("micro"));
	`)
	l.RunUntilIdle()
	if got := vm.Get("out").String(); got != "micro,a,b,c" {
		t.Fatalf("order = %s", got)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("returned after %v, before the 20ms timers were due", d)
	}
}

func TestIntervalRunsUntilCleared(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	run(t, l, nil, `
		globalThis.n = 0;
		const id = setInterval(() => { if (++n === 3) clearInterval(id) }, 1);
	`)
	l.RunUntilIdle()
	if n := vm.Get("n").ToInteger(); n != 3 {
		t.Fatalf("interval ran %d times, want 3", n)
	}
}

func TestReserveKeepsLoopAliveUntilCalled(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	var wg sync.WaitGroup
	l.RunTask(nil, func(vm *goja.Runtime) error {
		done := l.Reserve()
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(30 * time.Millisecond)
			done(func(vm *goja.Runtime) error { return vm.Set("result", "from another goroutine") })
		}()
		return nil
	})
	l.RunUntilIdle()
	wg.Wait()
	if got := vm.Get("result"); got == nil || got.String() != "from another goroutine" {
		t.Fatalf("result = %v", got)
	}
}

func TestCPULimitInterruptsOnlyThatScope(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	var errs []error
	bad := NewScope(20 * time.Millisecond)
	bad.OnError = func(err error) { errs = append(errs, err) }
	start := time.Now()
	run(t, l, bad, `for (;;) {}`)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("interrupt took %v", d)
	}
	if !bad.Exceeded() || len(errs) != 1 || errs[0] != ErrCPULimit {
		t.Fatalf("exceeded=%v errs=%v", bad.Exceeded(), errs)
	}
	// The runtime stays usable for the next scope.
	good := NewScope(time.Second)
	good.OnError = func(err error) { t.Errorf("good scope error: %v", err) }
	run(t, l, good, `globalThis.ok = 1 + 1`)
	if vm.Get("ok").ToInteger() != 2 {
		t.Fatal("runtime unusable after interrupt")
	}
}

func TestCPULimitCountsAcrossTasks(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	s := NewScope(30 * time.Millisecond)
	var got error
	s.OnError = func(err error) { got = err }
	// Each timer spins for 10ms of wall time (less CPU when the machine is
	// busy). Per-task limits would let this run forever; the scope's budget
	// must add the tasks up and end it.
	run(t, l, s, `
		globalThis.runs = 0;
		function spin() { const end = Date.now() + 10; while (Date.now() < end) {} runs++; setTimeout(spin, 0) }
		setTimeout(spin, 0);
	`)
	l.RunUntilIdle()
	if got != ErrCPULimit {
		t.Fatalf("err = %v", got)
	}
	if runs := vm.Get("runs").ToInteger(); runs < 2 {
		t.Fatalf("runs = %d: the budget should span several tasks", runs)
	}
	if used := s.Used(); used < 30*time.Millisecond || used > 200*time.Millisecond {
		t.Fatalf("charged %v for a 30ms budget", used)
	}
	if l.PendingTimers() != 0 {
		t.Fatalf("cancelled scope left %d timers", l.PendingTimers())
	}
}

func TestUnhandledRejectionReported(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	s := NewScope(0)
	var reasons []string
	s.OnUnhandledRejection = func(r goja.Value) { reasons = append(reasons, r.String()) }
	run(t, l, s, `
		Promise.reject(new Error("lost"));
		Promise.reject(new Error("handled")).catch(() => {});
	`)
	if len(reasons) != 1 || !strings.Contains(reasons[0], "lost") {
		t.Fatalf("reasons = %q", reasons)
	}
}

func TestUncaughtTimerErrorGoesToScope(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	s := NewScope(0)
	var got error
	s.OnError = func(err error) { got = err }
	run(t, l, s, `setTimeout(() => { throw new TypeError("boom") }, 0)`)
	l.RunUntilIdle()
	if got == nil || !strings.Contains(got.Error(), "TypeError: boom") {
		t.Fatalf("err = %v", got)
	}
}

func TestCancelledScopeDropsTimers(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	s := NewScope(0)
	run(t, l, s, `globalThis.fired = false; setTimeout(() => { fired = true }, 10)`)
	s.Cancel()
	l.RunUntilIdle()
	if vm.Get("fired").ToBoolean() {
		t.Fatal("timer of a cancelled scope fired")
	}
}

func TestStopEndsRun(t *testing.T) {
	vm := goja.New()
	l := New(vm)
	done := make(chan struct{})
	go func() { l.Run(); close(done) }()
	ran := make(chan struct{})
	l.Submit(nil, func(vm *goja.Runtime) error { close(ran); return nil })
	<-ran
	l.Stop()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Run did not return after Stop")
	}
	if l.Submit(nil, func(*goja.Runtime) error { return nil }) {
		t.Fatal("Submit after Stop accepted")
	}
}
