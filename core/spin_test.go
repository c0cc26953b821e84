package core_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core"
)

// An interrupt that lands in a resumed async function used to leave goja's
// call stack dirty so that no promise job ever ran again in that runtime.
func TestCPULimitAfterAwaitLeavesTheWorkerHealthy(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1, CPULimit: 20 * time.Millisecond, WallLimit: 5 * time.Second})
	for i := 0; i < 3; i++ {
		r := f.do(t, "POST", "/spin", `{"a":1}`)
		if r.err == nil || !strings.Contains(r.err.Error(), "Worker exceeded CPU time limit (20ms)") {
			t.Fatalf("spin %d: %v %q", i, r.err, r.body)
		}
	}
	// Concurrent spins: each fails with a resource-limit error, none hangs.
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.do(t, "POST", "/spin", `{"a":1}`)
			var se *core.ScriptError
			if !errors.As(r.err, &se) || se.Kind != "cpu" {
				t.Errorf("concurrent spin: %v %q", r.err, r.body)
			}
		}()
	}
	wg.Wait()
	// Async work still runs in the runtime that serves next.
	if r := f.do(t, "GET", "/slow?ms=5", ""); r.err != nil || r.body != "slow done" {
		t.Fatalf("after: %v %q", r.err, r.body)
	}
}
