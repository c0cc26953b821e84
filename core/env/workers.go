package env

import "time"

// Binding I/O runs on a set of reused goroutines rather than one new
// goroutine per call: the SQLite store needs a deep stack, and growing a fresh
// goroutine's stack cost more than the lookup itself (measured: a third of a
// KV get's CPU time went to runtime.newstack). Idle workers exit after a while,
// so a quiet process keeps none.

var idleWork = make(chan func())

const workerIdle = 10 * time.Second

// goIO runs f on an idle worker, or on a new one when all are busy.
func goIO(f func()) {
	select {
	case idleWork <- f:
	default:
		go worker(f)
	}
}

func worker(f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		f()
		t.Reset(workerIdle)
		select {
		case f = <-idleWork:
		case <-t.C:
			return
		}
	}
}
