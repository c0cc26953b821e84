package loop

import (
	"runtime"
	"sync"
	"time"
)

// CPU time, not wall time, is what a scope is charged: under load the loop's
// thread is descheduled while other goroutines run, and wall time would bill
// a request for that. The loop goroutine locks itself to one OS thread on its
// first task, so the thread's CPU clock measures exactly the JS (and native
// code) the loop ran.

// lockThread pins the loop goroutine to its OS thread, once, and starts the
// thread CPU clock. Every task runs on the loop goroutine, so the first task
// takes the lock and the rest find it taken.
func (l *Loop) lockThread() {
	if l.locked {
		return
	}
	runtime.LockOSThread()
	l.locked = true
	l.clock = threadClock()
}

// watchdog interrupts the VM once the loop thread has used the budget. It
// sleeps for the remaining budget in wall time, then checks the thread's CPU
// clock: if the thread was descheduled meanwhile, it sleeps again for what
// is left.
type watchdog struct {
	l      *Loop
	mu     sync.Mutex
	timer  *time.Timer
	start  time.Duration
	budget time.Duration
	active bool
	fired  bool
}

func (l *Loop) arm(budget time.Duration) *watchdog {
	w := &watchdog{l: l, start: l.clock.now(), budget: budget, active: true}
	w.mu.Lock()
	w.timer = time.AfterFunc(budget, w.check)
	w.mu.Unlock()
	return w
}

func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.active {
		return
	}
	used := w.l.clock.now() - w.start
	if left := w.budget - used; left > 0 && w.l.clock.precise {
		w.timer.Reset(left)
		return
	}
	w.fired = true
	w.l.vm.Interrupt(ErrCPULimit)
}

// disarm stops the watchdog and reports whether it interrupted the VM.
func (w *watchdog) disarm() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active = false
	w.timer.Stop()
	return w.fired
}
