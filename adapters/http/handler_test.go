package httpadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/testutil"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/cron"
)

func newWorker(t *testing.T, log *slog.Logger) *core.Worker {
	t.Helper()
	entry, _ := filepath.Abs("testdata/worker.js")
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: filepath.Dir(entry)})
	if err != nil {
		t.Fatal(err)
	}
	w, err := core.New(core.Options{Bundle: b, Runtimes: 1, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newServer(t *testing.T, dev bool) (*httptest.Server, *testutil.SyncBuffer) {
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	h := &httpadapter.Handler{Dev: dev, Log: log}
	h.Swap(newWorker(t, log))
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv, logs
}

func TestRequestReachesWorkerExactly(t *testing.T) {
	srv, logs := newServer(t, true)
	res, err := http.Post(srv.URL+"/a/b?x=1&y=%20z", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := map[string]any{"method": "POST", "url": srv.URL + "/a/b?x=1&y=%20z", "host": host, "ip": "127.0.0.1", "body": "payload", "protocol": "HTTP/1.1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	// The line is logged after the response is written: give it a moment.
	if !eventually(func() bool { return strings.Contains(logs.String(), "POST /a/b?x=1&y=%20z 200") }) {
		t.Errorf("no request log line:\n%s", logs.String())
	}
}

func TestBinaryBodyIsBytes(t *testing.T) {
	srv, _ := newServer(t, true)
	res, err := http.Get(srv.URL + "/binary")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(b, []byte{0, 255, 1, 254}) {
		t.Fatalf("body = %v", b)
	}
}

func TestExceptionIs500WithStackOnlyInDev(t *testing.T) {
	for _, dev := range []bool{true, false} {
		srv, logs := newServer(t, dev)
		res, err := http.Get(srv.URL + "/throw")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 500 {
			t.Fatalf("dev=%v: status %d", dev, res.StatusCode)
		}
		hasStack := strings.Contains(string(b), "worker.js:4:")
		if hasStack != dev {
			t.Errorf("dev=%v: stack shown=%v:\n%s", dev, hasStack, b)
		}
		if !eventually(func() bool { return strings.Contains(logs.String(), "handler exploded") }) {
			t.Errorf("dev=%v: error not logged", dev)
		}
		// The server is still fine.
		ok, err := http.Get(srv.URL + "/")
		if err != nil || ok.StatusCode != 200 {
			t.Fatalf("dev=%v: next request: %v", dev, err)
		}
		ok.Body.Close()
	}
}

func TestTestScheduledRoute(t *testing.T) {
	srv, logs := newServer(t, true)
	res, err := http.Get(srv.URL + "/__scheduled?cron=" + "*/5+*+*+*+*")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "Ran scheduled event") {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	if !strings.Contains(logs.String(), "fired */5 * * * *") {
		t.Fatalf("scheduled handler did not run:\n%s", logs.String())
	}
}

// fakeClock is a manual clock: After channels fire when Advance passes them.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waiting chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waiting: make(chan struct{}, 100)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.waiting <- struct{}{}
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

func TestCronFiresOnScheduleWithFakeTime(t *testing.T) {
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	w := newWorker(t, log)
	defer w.Close()
	every5, err := cron.Parse("*/5 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	hourly, err := cron.Parse("0 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(time.Date(2026, 11, 22, 9, 53, 30, 0, time.UTC))
	s := &httpadapter.Scheduler{Crons: []*cron.Schedule{every5, hourly}, Worker: func() *core.Worker { return w }, Clock: clock, Log: log}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()

	<-clock.waiting
	clock.Advance(60 * time.Second) // 09:54:30: nothing due, the scheduler keeps waiting
	clock.Advance(60 * time.Second) // 09:55:30: */5 fired at 09:55
	<-clock.waiting
	clock.Advance(5 * time.Minute) // 10:00:30: both fire at 10:00
	<-clock.waiting
	cancel()
	<-done
	out := logs.String()
	for _, want := range []string{
		`fired */5 * * * * 2026-11-22T09:55:00.000Z`,
		`fired */5 * * * * 2026-11-22T10:00:00.000Z`,
		`fired 0 * * * * 2026-11-22T10:00:00.000Z`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "fired "); n != 3 {
		t.Errorf("%d events fired, want 3:\n%s", n, out)
	}
}

// eventually polls cond for up to two seconds.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func buildSource(t *testing.T, src string) *core.Worker {
	t.Helper()
	dir := t.TempDir()
	entry := filepath.Join(dir, "index.js")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := core.New(core.Options{Bundle: b, Runtimes: 1})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSwapLetsRequestsInFlightFinishOnTheOldVersion(t *testing.T) {
	v1 := buildSource(t, `export default { async fetch() { await new Promise(r => setTimeout(r, 200)); return new Response("v1") } }`)
	v2 := buildSource(t, `export default { fetch() { return new Response("v2") } }`)
	h := &httpadapter.Handler{Dev: true}
	h.Swap(v1)
	srv := httptest.NewServer(h)
	defer func() { srv.Close(); h.Close() }()

	slow := make(chan string, 1)
	go func() {
		res, err := http.Get(srv.URL)
		if err != nil {
			slow <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		slow <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	h.Swap(v2)
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "v2" {
		t.Fatalf("new request got %q, want v2", b)
	}
	if got := <-slow; got != "v1" {
		t.Fatalf("request in flight got %q, want v1", got)
	}
}
