//go:build !linux

package loop

import "time"

// cpuClock falls back to wall time where thread CPU clocks are not readable
// from another thread.
type cpuClock struct{ precise bool }

func threadClock() cpuClock { return cpuClock{} }

func (c cpuClock) now() time.Duration { return time.Duration(time.Now().UnixNano()) }

// wallClock measures wall time, for scopes without a CPU limit.
var wallClock = cpuClock{}
