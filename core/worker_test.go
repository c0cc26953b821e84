package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-run/ferry/internal/testutil"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

type fixture struct {
	w   *core.Worker
	log *testutil.SyncBuffer
}

func newWorker(t testing.TB, entry string, opts core.Options) *fixture {
	t.Helper()
	abs, err := filepath.Abs(entry)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(abs)
	if filepath.Base(dir) == "src" {
		dir = filepath.Dir(dir)
	}
	b, err := bundle.Build(bundle.Options{Entry: abs, Dir: dir})
	if err != nil {
		t.Fatalf("bundling %s: %v", entry, err)
	}
	logs := &testutil.SyncBuffer{}
	opts.Bundle = b
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Env == nil {
		opts.Env = &env.Spec{Vars: map[string]any{"NAME": "ferry", "OBJ": map[string]any{"k": []any{1.0, "two"}}}}
	}
	w, err := core.New(opts)
	if err != nil {
		t.Fatalf("core.New: %v", err)
	}
	t.Cleanup(w.Close)
	return &fixture{w: w, log: logs}
}

type result struct {
	status int
	header http.Header
	body   string
	err    error
	res    *core.Response
}

func (f *fixture) do(t *testing.T, method, path, body string) result {
	t.Helper()
	req := &core.Request{Method: method, URL: "http://example.test" + path, Header: http.Header{}}
	if body != "" {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := f.w.Fetch(context.Background(), req)
	if err != nil {
		return result{err: err}
	}
	var data []byte
	if res.Body != nil {
		data, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return result{status: res.Status, header: res.Header, body: string(data), res: res}
}

func TestFetchBasics(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 2})
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
		header                   map[string]string
	}{
		{"text with env var", "GET", "/", "", 200, "hello ferry", map[string]string{"Content-Type": "text/plain;charset=UTF-8"}},
		{"echo body and headers", "POST", "/echo", "some body", 201, "some body", map[string]string{"X-Method": "POST", "X-Len": "9"}},
		{"json body and JSON var", "POST", "/json", `{"x":[1,2]}`, 200, `{"got":{"x":[1,2]},"vars":{"k":[1,"two"]}}`, map[string]string{"Content-Type": "application/json"}},
		{"404", "GET", "/nope", "", 404, "not found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.body)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.status != tt.status || r.body != tt.want {
				t.Fatalf("got %d %q, want %d %q", r.status, r.body, tt.status, tt.want)
			}
			for k, v := range tt.header {
				if got := r.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestEverySetCookieSurvives(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	r := f.do(t, "GET", "/cookies", "")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if got := r.header.Values("Set-Cookie"); strings.Join(got, "|") != "a=1|b=2" {
		t.Fatalf("Set-Cookie = %q", got)
	}
	if r.status != 204 {
		t.Fatalf("status %d", r.status)
	}
}

func TestFailuresEndOnlyThatRequest(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1, CPULimit: 50 * time.Millisecond})
	tests := []struct {
		path, kind, contains string
	}{
		{"/throw", "exception", "Error: boom from handler"},
		{"/reject", "exception", "TypeError: rejected"},
		{"/not-a-response", "type", "did not resolve to 'Response'"},
		{"/loop", "cpu", "exceeded CPU time limit"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := f.do(t, "GET", tt.path, "")
			var se *core.ScriptError
			if !errors.As(r.err, &se) {
				t.Fatalf("err = %v (status %d), want a ScriptError", r.err, r.status)
			}
			if se.Kind != tt.kind || !strings.Contains(se.Error(), tt.contains) {
				t.Fatalf("got kind %q: %s", se.Kind, se.Error())
			}
			// The same (only) runtime serves the next request.
			if ok := f.do(t, "GET", "/", ""); ok.err != nil || ok.body != "hello ferry" {
				t.Fatalf("next request: %v %q", ok.err, ok.body)
			}
		})
	}
}

func TestThrownErrorStackPointsAtBasicJS(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	r := f.do(t, "GET", "/throw", "")
	if r.err == nil || !strings.Contains(r.err.Error(), "basic.js:10:15") {
		t.Fatalf("stack does not name basic.js:10:15 %v", r.err)
	}
}

func TestSourceMappedTypeScriptStack(t *testing.T) {
	f := newWorker(t, "testdata/ts/src/index.ts", core.Options{Runtimes: 1})
	if r := f.do(t, "GET", "/", ""); r.body != "ts ok ferry" {
		t.Fatalf("ok path: %v %q", r.err, r.body)
	}
	r := f.do(t, "GET", "/fail", "")
	if r.err == nil {
		t.Fatal("no error")
	}
	msg := r.err.Error()
	for _, want := range []string{"typed failure: on purpose", "src/index.ts:4:", "src/index.ts:11:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestInfiniteLoopDoesNotStallOtherRequests(t *testing.T) {
	// One runtime: the looping request holds it until its CPU limit; a request
	// that arrives meanwhile is served right after.
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1, CPULimit: 100 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.do(t, "GET", "/loop", "")
	}()
	time.Sleep(10 * time.Millisecond)
	start := time.Now()
	r := f.do(t, "GET", "/", "")
	waited := time.Since(start)
	wg.Wait()
	if r.err != nil || r.body != "hello ferry" {
		t.Fatalf("got %v %q", r.err, r.body)
	}
	if waited > 2*time.Second {
		t.Fatalf("the healthy request waited %v", waited)
	}
}

func TestRequestsInterleaveWhileAwaiting(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	slow := make(chan result, 1)
	go func() { slow <- f.do(t, "GET", "/slow?ms=300", "") }()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	fast := f.do(t, "GET", "/", "")
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("fast request took %v: it waited for the slow one", d)
	}
	if fast.body != "hello ferry" {
		t.Fatalf("fast = %q", fast.body)
	}
	if s := <-slow; s.body != "slow done" {
		t.Fatalf("slow = %v %q", s.err, s.body)
	}
}

func TestWaitUntilRunsAfterResponse(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	r := f.do(t, "GET", "/wait-until", "")
	if r.body != "responded" {
		t.Fatalf("body %q", r.body)
	}
	select {
	case <-r.res.Done:
		t.Fatal("Done closed before the waitUntil timer (30ms) could fire")
	default:
	}
	select {
	case <-r.res.Done:
	case <-time.After(2 * time.Second):
		t.Fatal("waitUntil work never finished")
	}
	if c := f.do(t, "GET", "/counter", ""); c.body != "1" {
		t.Fatalf("counter = %q", c.body)
	}
	if !strings.Contains(f.log.String(), "waitUntil done 1") {
		t.Fatalf("console line missing from log:\n%s", f.log.String())
	}
}

func TestWallLimit(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1, WallLimit: 50 * time.Millisecond})
	r := f.do(t, "GET", "/slow?ms=2000", "")
	var se *core.ScriptError
	if !errors.As(r.err, &se) || se.Kind != "wall" {
		t.Fatalf("err = %v", r.err)
	}
}

func TestConsoleGoesToLogWithRequestID(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	ctx := core.WithRequestID(context.Background(), "req-42")
	res, err := f.w.Fetch(ctx, &core.Request{Method: "GET", URL: "http://x.test/console", Header: http.Header{}})
	if err != nil {
		t.Fatal(err)
	}
	<-res.Done
	logs := f.log.String()
	for _, want := range []string{`msg="log line { a: 1 } [ 1, 2 ]"`, "request=req-42", "level=ERROR msg=\"error line\""} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestScheduled(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	at := time.Date(2026, 11, 22, 10, 15, 0, 0, time.UTC)
	if err := f.w.Scheduled(context.Background(), "*/15 * * * *", at); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.log.String(), "scheduled */15 * * * * 1795342500000") {
		t.Fatalf("log:\n%s", f.log.String())
	}
	if err := f.w.Scheduled(context.Background(), "fail", at); err == nil || !strings.Contains(err.Error(), "scheduled failed") {
		t.Fatalf("err = %v", err)
	}
}

func TestQueueOutcomes(t *testing.T) {
	f := newWorker(t, "testdata/basic.js", core.Options{Runtimes: 1})
	msg := func(id, action string) core.QueueMessage {
		return core.QueueMessage{ID: id, Timestamp: time.Now(), Body: []byte(`{"action":"` + action + `"}`), ContentType: "json", Attempts: 1}
	}
	tests := []struct {
		name string
		msgs []core.QueueMessage
		want []core.MessageOutcome
		err  bool
	}{
		{"implicit ack on success", []core.QueueMessage{msg("1", "none"), msg("2", "none")},
			[]core.MessageOutcome{{Ack: true}, {Ack: true}}, false},
		{"explicit retry with delay", []core.QueueMessage{msg("1", "retry"), msg("2", "none")},
			[]core.MessageOutcome{{Retry: true, DelaySeconds: 30}, {Ack: true}}, false},
		{"throw retries all but explicit acks", []core.QueueMessage{msg("1", "ack"), msg("2", "throw"), msg("3", "none")},
			[]core.MessageOutcome{{Ack: true}, {Retry: true}, {Retry: true}}, true},
		{"retryAll", []core.QueueMessage{msg("1", "ack"), msg("2", "retryAll")},
			[]core.MessageOutcome{{Ack: true}, {Retry: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.w.Queue(context.Background(), "jobs", tt.msgs)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v", got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("message %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestServiceWorkerFormat(t *testing.T) {
	f := newWorker(t, "testdata/sw.js", core.Options{Runtimes: 1, Env: &env.Spec{Vars: map[string]any{"GREETING": "hi"}}})
	r := f.do(t, "GET", "/", "")
	if r.err != nil || r.body != "service worker says hi" {
		t.Fatalf("got %v %q", r.err, r.body)
	}
}

func TestTopLevelThrowFailsNewWithStack(t *testing.T) {
	dir := t.TempDir()
	entry := filepath.Join(dir, "bad.js")
	writeFile(t, entry, "const x = 1;\nthrow new Error('top level boom');\nexport default { fetch() {} };\n")
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = core.New(core.Options{Bundle: b, Runtimes: 2})
	if err == nil || !strings.Contains(err.Error(), "top level boom") || !strings.Contains(err.Error(), "bad.js:2:") {
		t.Fatalf("err = %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSubrequestLimitAndPrivateFetchPolicy(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") }))
	defer up.Close()
	tests := []struct {
		name string
		opts core.Options
		want string
	}{
		{"limit counts per event", core.Options{Runtimes: 1, Subrequests: 2, AllowPrivateFetch: true}, "200,200,Too many subrequests"},
		{"private destinations refused by default", core.Options{Runtimes: 1}, "fetch to 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newWorker(t, "testdata/fetcher.js", tt.opts)
			for i := 0; i < 2; i++ { // the count starts again for each event
				r := f.do(t, "GET", "/?n=3&url="+url.QueryEscape(up.URL), "")
				if r.err != nil || !strings.HasPrefix(r.body, tt.want) {
					t.Fatalf("event %d: %v %q, want prefix %q", i, r.err, r.body, tt.want)
				}
			}
		})
	}
}
