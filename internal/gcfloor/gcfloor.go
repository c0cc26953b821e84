// Package gcfloor gives the Go garbage collector a minimum headroom: the
// heap may grow by at least a fixed number of bytes past the live heap
// before the next collection, on top of what GOGC allows.
//
// Why: a Worker server's live heap is small (a few MiB: the runtimes and
// the compiled bundle) while every request allocates tens of KiB of JS
// objects that die with it. With GOGC's default of 100 the heap goal is
// twice the live heap, so the collector runs dozens of times a second
// under load and is marking a third of the time: on the Hono benchmark
// at 32 concurrent requests on 2 cores, GC was a quarter of the server's
// CPU, and requests caught in a mark phase (write barriers, assists,
// the fractional mark worker taking a core) made the p99 tail. The cost of
// a collection is proportional to the live heap, and collections happen
// once per headroom's worth of allocation; a fixed floor on the headroom
// makes small heaps collect less often, while large heaps keep GOGC's
// proportional headroom (and its memory use) unchanged.
//
// How: after every collection (a cleanup on a sentinel object, re-armed
// each cycle) the GC percentage is set so that the next goal is
// live + max(live × base/100, floor). GOGC or GOMEMLIMIT in the
// environment mean the operator chose: Start then changes nothing.
package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultHeadroom is the headroom ferry dev and ferry serve keep: 16 MiB
// lets a Hono Worker at 32 concurrent requests collect about 2.5 times less
// often than GOGC=100, for about 10 MiB more resident memory under load.
const DefaultHeadroom = 16 << 20

// basePercent is GOGC's default, kept for heaps larger than the floor.
const basePercent = 100

var (
	mu     sync.Mutex
	active *tuner // the running tuner, shared by overlapping Starts
)

type tuner struct {
	headroom uint64
	users    int
	stopped  bool
	percent  int // last percentage set
	prev     int // the percentage before Start, restored by the last stop
}

// Start keeps at least headroom bytes of heap growth between collections
// until the returned stop is called. getenv reads the environment (GOGC and
// GOMEMLIMIT turn it off). Overlapping Starts share one tuner (the GC
// setting is the process's); the largest headroom asked for wins and the
// last stop restores the previous percentage.
func Start(getenv func(string) string, headroom uint64) (stop func()) {
	if headroom == 0 || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	mu.Lock()
	defer mu.Unlock()
	t := active
	if t == nil {
		t = &tuner{percent: basePercent}
		t.prev = debug.SetGCPercent(basePercent)
		active = t
		t.arm()
	}
	t.users++
	if headroom > t.headroom {
		t.headroom = headroom
	}
	t.adjustLocked()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			t.users--
			if t.users == 0 {
				t.stopped = true
				active = nil
				debug.SetGCPercent(t.prev)
			}
		})
	}
}

// sentinel is allocated to learn when a collection has happened: it is
// unreachable at once, so its cleanup runs after the next cycle. It holds
// a pointer and is larger than 16 bytes so that it gets an object of its
// own (tiny allocations share blocks and may be collected late).
type sentinel struct {
	_ *tuner
	_ [24]byte
}

func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *tuner) { t.cycle() }, t)
}

func (t *tuner) cycle() {
	mu.Lock()
	defer mu.Unlock()
	if t.stopped {
		return
	}
	t.adjustLocked()
	t.arm()
}

var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// adjustLocked sets the percentage for the live heap the last collection
// found.
func (t *tuner) adjustLocked() {
	metrics.Read(liveSample)
	if liveSample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := Percent(liveSample[0].Value.Uint64(), t.headroom)
	// Small changes are not worth a pacer update.
	if p != t.percent && (p > t.percent*21/20 || p < t.percent*19/20 || p == basePercent) {
		debug.SetGCPercent(p)
		t.percent = p
	}
}

// Percent returns the GC percentage that gives a heap of live bytes at
// least headroom bytes of growth: GOGC's default for heaps larger than
// the headroom, more for smaller ones. The runtime's minimum heap goal
// (4 MiB at GOGC=100) grows with the percentage too, so the percentage is
// capped where that minimum would pass live + headroom. Before the first
// collection (live 0) that cap is the percentage: the first goal is then
// the headroom itself, so a start-up that allocates less than the
// headroom (a Worker's load and compile) runs without a collection.
func Percent(live, headroom uint64) int {
	const minHeap = 4 << 20 // the runtime's heap minimum at GOGC=100
	most := (live + headroom) * 100 / minHeap
	p := most
	if live > 0 && headroom*100/live < most {
		p = headroom * 100 / live
	}
	if p < basePercent {
		return basePercent
	}
	return int(p)
}
