package gcfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 16 * mib, 400},           // before the first collection: a first goal of 16 MiB
		{0, 1 * mib, 100},            // (not below GOGC's default)
		{0, 0, 100},                  //
		{8 * mib, 16 * mib, 200},     // small heap: the floor decides
		{7 * mib, 16 * mib, 228},     //
		{16 * mib, 16 * mib, 100},    // at the floor
		{64 * mib, 16 * mib, 100},    // large heap: GOGC's default
		{1 * mib, 16 * mib, 425},     // tiny heap: capped by the minimum heap
		{100, 16 * mib, 400},         //
		{5 * mib, 1 * mib, 100},      // small floor
		{2 * mib, 64 * mib, 1650},    //
		{40 * mib, 64 * mib, 160},    //
		{3 * mib, 0, 100},            // no floor
		{1 << 40, 16 * mib, 100},     // no overflow for huge heaps
		{1 << 10, 1 << 40, 26214400}, // nor for huge floors
	} {
		if got := Percent(c.live, c.headroom); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.headroom, got, c.want)
		}
	}
}

func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func noEnv(string) string { return "" }

// After collections the percentage follows the live heap; the last stop
// puts the previous one back. Not parallel: the GC setting is the process's.
func TestStartFollowsCollections(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	const headroom = 256 << 20 // far above this test binary's live heap
	stop1 := Start(noEnv, headroom)
	stop2 := Start(noEnv, 64<<20) // overlapping: the larger floor stays
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for gogc() <= 100 && time.Now().Before(deadline) {
		runtime.GC() // the cleanup of the cycle's sentinel runs after it
		time.Sleep(10 * time.Millisecond)
	}
	if got := gogc(); got <= 100 {
		t.Fatalf("GOGC is %d after collections with a %d-byte floor", got, headroom)
	}
	stop2()
	stop2() // idempotent
	if got := gogc(); got <= 100 {
		t.Fatalf("GOGC is %d after one of two stops", got)
	}
	stop1()
	if got := gogc(); got != 100 {
		t.Fatalf("GOGC is %d after the last stop, want 100 back", got)
	}
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := gogc(); got != 100 {
		t.Fatalf("GOGC is %d: a stopped tuner changed it", got)
	}
}

// GOGC or GOMEMLIMIT in the environment is the operator's choice.
func TestStartLeavesOperatorSettings(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	for _, key := range []string{"GOGC", "GOMEMLIMIT"} {
		stop := Start(func(k string) string {
			if k == key {
				return "200"
			}
			return ""
		}, 256<<20)
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		runtime.GC()
		if got := gogc(); got != 100 {
			t.Errorf("with %s set, GOGC became %d", key, got)
		}
		stop()
	}
}
