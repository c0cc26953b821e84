package loop

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuClock reads the CPU time of one OS thread. On Linux any thread may read
// another thread's clock through the clock id derived from its thread id
// (the kernel's MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)), so the watchdog's
// goroutine can check the loop's thread.
type cpuClock struct {
	id      int32
	precise bool
}

func threadClock() cpuClock {
	tid := unix.Gettid()
	return cpuClock{id: int32(^uint32(tid)<<3 | 6), precise: true}
}

func (c cpuClock) now() time.Duration {
	if !c.precise {
		return time.Duration(time.Now().UnixNano())
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(c.id, &ts); err != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}

// wallClock measures wall time, for scopes without a CPU limit.
var wallClock = cpuClock{}
