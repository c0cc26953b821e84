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
// is left. A loop has one, re-armed for each limited task, so a task costs a
// timer reset rather than a new timer.
type watchdog struct {
	l      *Loop
	mu     sync.Mutex
	timer  *time.Timer
	clock  cpuClock
	start  time.Duration
	budget time.Duration
	active bool
	fired  bool
}

// arm starts watching a task that began at start (a reading of clock) and
// may use budget.
func (w *watchdog) arm(clock cpuClock, start, budget time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.clock, w.start, w.budget = clock, start, budget
	w.active, w.fired = true, false
	if w.timer == nil {
		w.timer = time.AfterFunc(budget, w.check)
	} else {
		w.timer.Reset(budget)
	}
}

// check runs when the timer fires. A firing left over from an earlier arm
// finds the watchdog disarmed, or checks the current task, which is right
// either way.
func (w *watchdog) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.active {
		return
	}
	used := w.clock.now() - w.start
	if left := w.budget - used; left > 0 {
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
