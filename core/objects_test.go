package core_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

// durableWorker runs testdata/durable with its classes on a store in dir ("" in memory).
func durableWorker(t *testing.T, dir string, runtimes int) *fixture {
	t.Helper()
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	spec := &env.Spec{
		Vars: map[string]any{"NAME": "ferry"},
		DurableObjects: map[string]*env.DurableObjectNamespace{
			"COUNTER": {Namespace: "test-Counter", Class: "Counter"},
			"NOALARM": {Namespace: "test-NoAlarm", Class: "NoAlarm"},
		},
	}
	var self *core.Worker
	spec.Services = map[string]env.Service{"ADDER": core.ServiceOf(func() *core.Worker { return self }, "Adder")}
	f := newWorker(t, "testdata/durable/worker.js", core.Options{Env: spec, ObjectStore: st.DurableObjects(), Runtimes: runtimes})
	self = f.w
	return f
}

func getJSON(t *testing.T, f *fixture, path string, into any) {
	t.Helper()
	r := f.do(t, "GET", path, "")
	if r.err != nil || r.status != 200 {
		t.Fatalf("GET %s: %d %s %v\n%s", path, r.status, r.body, r.err, f.log.String())
	}
	if err := json.Unmarshal([]byte(r.body), into); err != nil {
		t.Fatalf("GET %s: %q: %v", path, r.body, err)
	}
}

func TestDurableObjectStorageAPI(t *testing.T) {
	f := durableWorker(t, t.TempDir(), 2)
	if r := f.do(t, "GET", "/storage", ""); r.body != "ok" {
		t.Fatalf("storage suite: %d %s %v", r.status, r.body, r.err)
	}
}

func TestDurableObjectIDsAndStubs(t *testing.T) {
	f := durableWorker(t, "", 2)
	var ids map[string]any
	getJSON(t, f, "/ids", &ids)
	want := map[string]any{
		"hex": true, "same": true, "differ": true, "name": "alice", "roundTrip": true,
		"badString": "TypeError: Invalid Durable Object ID: must be 64 hex digits", "otherClass": "TypeError",
		"stubName": "alice", "thenable": "undefined",
	}
	for k, v := range want {
		if fmt.Sprint(ids[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v; want %v", k, ids[k], v)
		}
	}
	who := ids["who"].(map[string]any)
	if who["name"] != "alice" || who["equalsSelf"] != true || len(who["id"].(string)) != 64 {
		t.Errorf("ctx.id inside the object: %v", who)
	}
	if r := f.do(t, "GET", "/fetch?name=bob", ""); r.body != "200 yes POST /path hi bob" {
		t.Errorf("stub.fetch: %q %v", r.body, r.err)
	}
}

func TestDurableObjectRPC(t *testing.T) {
	f := durableWorker(t, "", 2)
	var out map[string]any
	getJSON(t, f, "/rpc", &out)
	want := map[string]any{
		"echo":       true,
		"boom":       "RangeError: too far true",
		"asyncBoom":  "TypeError: bad type",
		"nope":       `TypeError: The RPC receiver does not implement the method "nope".`,
		"unclonable": "DataCloneError",
		"badArg":     "DataCloneError",
	}
	for k, v := range want {
		if fmt.Sprint(out[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v; want %v", k, out[k], v)
		}
	}
	var svc map[string]any
	getJSON(t, f, "/svc", &svc)
	if svc["add"] != 5.0 || svc["env"] != "ferry" || svc["fetch"] != "adder /hello" {
		t.Errorf("service binding to a named entrypoint: %v", svc)
	}
}

// Concurrent read-modify-writes on one object are serialised by the input
// gate: every caller gets a distinct value, and nothing is lost.
func TestDurableObjectInputGate(t *testing.T) {
	f := durableWorker(t, t.TempDir(), 4)
	for _, path := range []string{"/inc?name=gate", "/incBlocked?name=gate2"} {
		const n = 50
		var wg sync.WaitGroup
		seen := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.do(t, "GET", path, "")
				if r.err != nil {
					t.Error(r.err)
					return
				}
				fmt.Sscan(r.body, &seen[i])
			}()
		}
		wg.Wait()
		got := map[int]bool{}
		for _, v := range seen {
			got[v] = true
		}
		if len(got) != n || !got[1] || !got[n] {
			t.Fatalf("%s: %d distinct values from %d concurrent calls: %v", path, len(got), n, seen)
		}
	}
}

// State survives a restart (a new Worker on the same store), and the
// constructor's blockConcurrencyWhile runs before the first event.
func TestDurableObjectPersistsAndBlocks(t *testing.T) {
	dir := t.TempDir()
	f := durableWorker(t, dir, 2)
	for range 3 {
		f.do(t, "GET", "/inc?name=p", "")
	}
	var loaded int
	getJSON(t, f, "/loaded?name=p", &loaded)
	if loaded != 0 {
		t.Fatalf("loaded in the first constructor = %d; want 0", loaded)
	}
	f.w.Close()
	g := durableWorker(t, dir, 3)
	getJSON(t, g, "/loaded?name=p", &loaded)
	if loaded != 3 {
		t.Fatalf("after a restart the constructor loaded %d; want 3", loaded)
	}
	var n int
	getJSON(t, g, "/inc?name=p", &n)
	if n != 4 {
		t.Fatalf("increment after restart = %d; want 4", n)
	}
}

func TestDurableObjectAlarms(t *testing.T) {
	dir := t.TempDir()
	f := durableWorker(t, dir, 2)
	if r := f.do(t, "GET", "/noalarm", ""); r.body != "Your Durable Object class must have an alarm() handler in order to call setAlarm()" {
		t.Errorf("setAlarm without alarm(): %q", r.body)
	}
	var at float64
	getJSON(t, f, "/alarm?name=al&ms=100", &at)
	if at < float64(time.Now().UnixMilli()) {
		t.Fatalf("getAlarm after setAlarm = %v", at)
	}
	type state struct {
		Fired []struct {
			RetryCount int  `json:"retryCount"`
			IsRetry    bool `json:"isRetry"`
		} `json:"fired"`
		Alarm *float64 `json:"alarm"`
	}
	waitFor := func(f *fixture, name string, n int) state {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var s state
			getJSON(t, f, "/alarmState?name="+name, &s)
			if len(s.Fired) >= n || time.Now().After(deadline) {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	s := waitFor(f, "al", 1)
	if len(s.Fired) != 1 || s.Fired[0].IsRetry || s.Alarm != nil {
		t.Fatalf("after the alarm: %+v", s)
	}

	// A throwing alarm() is retried (after 2 s) with retryCount 1.
	f.do(t, "GET", "/failAlarms?name=retry&n=1", "")
	getJSON(t, f, "/alarm?name=retry&ms=10", &at)
	s = waitFor(f, "retry", 2)
	if len(s.Fired) != 2 || s.Fired[1].RetryCount != 1 || !s.Fired[1].IsRetry {
		t.Fatalf("retry: %+v\n%s", s, f.log.String())
	}
	if !strings.Contains(f.log.String(), "alarm() threw, retry 1 of 6 in 2s") {
		t.Errorf("the retry is not logged:\n%s", f.log.String())
	}

	// An alarm stored before a restart fires after it.
	getJSON(t, f, "/alarm?name=later&ms=400", &at)
	f.w.Close()
	g := durableWorker(t, dir, 2)
	s = waitFor(g, "later", 1)
	if len(s.Fired) != 1 {
		t.Fatalf("an alarm set before a restart did not fire: %+v", s)
	}
}

func TestDurableObjectNeedsExportedClass(t *testing.T) {
	st, _ := local.Open("")
	defer st.Close()
	spec := &env.Spec{DurableObjects: map[string]*env.DurableObjectNamespace{"X": {Namespace: "t-Missing", Class: "Missing"}}}
	b := bundleOf(t, "testdata/durable/worker.js")
	_, err := core.New(core.Options{Bundle: b, Env: spec, ObjectStore: st.DurableObjects(), Runtimes: 1})
	if err == nil || !strings.Contains(err.Error(), `does not export a class named "Missing"`) {
		t.Fatalf("core.New with a missing class: %v", err)
	}
	_, err = core.New(core.Options{Bundle: b, Env: &env.Spec{DurableObjects: map[string]*env.DurableObjectNamespace{"C": {Namespace: "t-Counter", Class: "Counter"}}}, Runtimes: 1})
	if err == nil || !strings.Contains(err.Error(), "no Durable Object storage") {
		t.Fatalf("core.New without a store: %v", err)
	}
}

func bundleOf(t *testing.T, entry string) *bundle.Result {
	t.Helper()
	abs, err := filepath.Abs(entry)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(bundle.Options{Entry: abs, Dir: filepath.Dir(abs)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
