package streams_test

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/encoding"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

func newLoop(tb testing.TB) *loop.Loop {
	vm := goja.New()
	l := loop.New(vm)
	encoding.Install(vm)
	streams.Install(l)
	return l
}

// runJS evaluates src on a fresh runtime and runs the loop until idle.
func runJS(tb testing.TB, src string) *loop.Loop {
	l := newLoop(tb)
	var err error
	l.RunTask(nil, func(vm *goja.Runtime) error { _, err = vm.RunString(src); return err })
	l.RunUntilIdle()
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPipeChain measures chunks through ReadableStream → N ×
// TransformStream (pipeThrough) → WritableStream (pipeTo). It reports
// chunks/s by wall time and by process CPU time (the machine may be shared).
func BenchmarkPipeChain(b *testing.B) {
	for _, transforms := range []int{0, 1, 3} {
		b.Run(fmt.Sprintf("transforms=%d", transforms), func(b *testing.B) {
			l := newLoop(b)
			src := fmt.Sprintf(`(function (N) {
				let i = 0;
				let rs = new ReadableStream({ pull(c) { if (i++ < N) c.enqueue(i); else c.close(); } }, { highWaterMark: 16 });
				for (let k = 0; k < %d; k++) rs = rs.pipeThrough(new TransformStream({ transform(ch, c) { c.enqueue(ch); } }));
				let n = 0;
				rs.pipeTo(new WritableStream({ write() { n++; } })).then(() => { if (n !== N) throw new Error("lost chunks: " + n); });
			})(%d)`, transforms, b.N)
			b.ResetTimer()
			cpu0, wall0 := cpuTime(), time.Now()
			var err error
			l.RunTask(nil, func(vm *goja.Runtime) error { _, err = vm.RunString(src); return err })
			l.RunUntilIdle()
			if err != nil {
				b.Fatal(err)
			}
			cpu, wall := cpuTime()-cpu0, time.Since(wall0)
			b.ReportMetric(float64(b.N)/wall.Seconds(), "chunks/s")
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "chunks/cpu-s")
		})
	}
}

// BenchmarkPromiseBaseline is the cost of one promise reaction in goja on this
// machine, to read the figures above against.
func BenchmarkPromiseBaseline(b *testing.B) {
	l := newLoop(b)
	src := fmt.Sprintf(`(function (N) { let n = 0; const step = () => { if (++n < N) Promise.resolve().then(step); }; step(); })(%d)`, b.N)
	b.ResetTimer()
	cpu0 := cpuTime()
	l.RunTask(nil, func(vm *goja.Runtime) error { _, err := vm.RunString(src); return err })
	l.RunUntilIdle()
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "reactions/cpu-s")
}

func TestProfileScratch(t *testing.T) {
	src, err := os.ReadFile(os.Getenv("STREAMS_SCRATCH"))
	if err != nil {
		t.Skip()
	}
	if p := os.Getenv("STREAMS_JSPROF"); p != "" {
		f, _ := os.Create(p)
		defer f.Close()
		if err := goja.StartProfile(f); err != nil {
			t.Fatal(err)
		}
		defer goja.StopProfile()
	}
	runJS(t, string(src))
}
