package loop

import (
	"sync"
	"time"
)

// CPU time, not wall time, is what a scope is charged: under load the loop's
// thread is descheduled while other goroutines run, and wall time would bill
// a request for that. runTask locks the loop goroutine to its OS thread for
// the task and reads that thread's CPU clock.

// watchdog interrupts the VM once the loop thread has used the budget. It
// sleeps for the remaining budget in wall time, then checks the thread's CPU
// clock: if the thread was descheduled meanwhile, it sleeps again for what
// is left.
type watchdog struct {
	l      *Loop
	clock  cpuClock
	mu     sync.Mutex
	timer  *time.Timer
	start  time.Duration
	budget time.Duration
	active bool
	fired  bool
}

func (l *Loop) arm(clock cpuClock, budget time.Duration) *watchdog {
	w := &watchdog{l: l, clock: clock, start: clock.now(), budget: budget, active: true}
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
	used := w.clock.now() - w.start
	if left := w.budget - used; left > 0 && w.clock.precise {
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
