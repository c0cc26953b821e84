package lambdaadapter_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

// loadWorker bundles entry, writes it as a Lambda package, loads the package
// back (as the bootstrap does) and starts its Worker with one runtime.
func loadWorker(t testing.TB, entry string, vars map[string]any) *core.Worker {
	t.Helper()
	abs, err := filepath.Abs(entry)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(bundle.Options{Entry: abs})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	boot := filepath.Join(dir, "fake-bootstrap")
	if err := os.WriteFile(boot, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{Name: "test", Format: b.Format.String(), Handlers: []string{"fetch"}}
	if _, err := lambdaadapter.WriteArtifact(filepath.Join(dir, "pkg"), m, b, boot); err != nil {
		t.Fatal(err)
	}
	_, lb, err := lambdaadapter.LoadArtifact(filepath.Join(dir, "pkg"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := core.New(core.Options{Bundle: lb, Runtimes: 1, Env: &env.Spec{Vars: vars}, WallLimit: -1, CPULimit: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lambdaCtx(id string) context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
}

// response is the union of the HTTP response documents.
type response struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func (r response) bytes(t *testing.T) []byte {
	t.Helper()
	if !r.IsBase64Encoded {
		return []byte(r.Body)
	}
	b, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		t.Fatalf("body is not base64: %v", err)
	}
	return b
}

// setCookies returns every Set-Cookie the document carries, however its
// format spells them.
func (r response) setCookies() []string {
	out := append([]string(nil), r.Cookies...)
	for k, v := range r.Headers {
		if strings.EqualFold(k, "set-cookie") {
			out = append(out, v)
		}
	}
	for k, vs := range r.MultiValueHeaders {
		if strings.EqualFold(k, "set-cookie") {
			out = append(out, vs...)
		}
	}
	sort.Strings(out)
	return out
}

func (r response) header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, vs := range r.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			return strings.Join(vs, ", ")
		}
	}
	return ""
}

func invokeHTTP(t *testing.T, h *lambdaadapter.Handler, payload []byte) response {
	t.Helper()
	out, err := h.Invoke(lambdaCtx("req-1"), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return r
}

type echo struct {
	Method     string            `json:"method"`
	URL        string            `json:"url"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
	BodyLength int               `json:"bodyLength"`
	CF         map[string]any    `json:"cf"`
}

func TestHTTPEvents(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w)
	tests := []struct {
		fixture    string
		method     string
		url        string
		clientIP   string
		cookie     string
		body       []byte
		multi      string // the request's x-multi header as the Worker sees it
		wantFormat string // which response fields carry the headers
	}{
		{"apigw-v1-rest.json", "POST", "https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/echo/caf%C3%A9?name=me&multi=1&multi=2&q=a%2Bb+c",
			"203.0.113.7", "x=1; y=2", []byte{0, 1, 2, 255, 254}, "first, second", "multiValueHeaders"},
		{"apigw-v2-http.json", "PUT", "https://r3pmxmplak.execute-api.us-east-2.amazonaws.com/echo/v2?a=1&a=2&b=%20x",
			"198.51.100.9", "c1=v1; c2=v2", []byte(`{"hello":"v2"}`), "one,two", "cookies"},
		{"function-url.json", "POST", "https://abcdefghijklmnopqrstuvwxyz123456.lambda-url.us-east-1.on.aws/echo/url",
			"192.0.2.44", "", []byte("hello\x00world\xff"), "", "cookies"},
		{"alb-single.json", "GET", "https://lambda-alb-123578498.us-east-1.elb.amazonaws.com/echo/alb?q=a%20b&x=1",
			"203.0.113.50", "", nil, "", "headers"},
		{"alb-multi.json", "POST", "http://lambda-alb-123578498.us-east-1.elb.amazonaws.com:8080/echo/alb-multi?k=v1&k=v2&e=%C3%A9",
			"203.0.113.51", "", []byte("plain body"), "one, two", "multiValueHeaders"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			r := invokeHTTP(t, h, fixture(t, tt.fixture))
			if r.StatusCode != 200 {
				t.Fatalf("status %d: %s", r.StatusCode, r.Body)
			}
			if r.IsBase64Encoded {
				t.Errorf("a JSON response was base64-encoded")
			}
			var got echo
			if err := json.Unmarshal(r.bytes(t), &got); err != nil {
				t.Fatalf("echo: %v: %s", err, r.Body)
			}
			if got.Method != tt.method || got.URL != tt.url {
				t.Errorf("request = %s %s, want %s %s", got.Method, got.URL, tt.method, tt.url)
			}
			if ip := got.Headers["cf-connecting-ip"]; ip != tt.clientIP {
				t.Errorf("cf-connecting-ip = %q, want %q", ip, tt.clientIP)
			}
			if c := got.Headers["cookie"]; c != tt.cookie {
				t.Errorf("cookie = %q, want %q", c, tt.cookie)
			}
			if m := got.Headers["x-multi"]; m != tt.multi {
				t.Errorf("x-multi = %q, want %q", m, tt.multi)
			}
			body, _ := base64.StdEncoding.DecodeString(got.Body)
			if !bytes.Equal(body, tt.body) {
				t.Errorf("request body = %q, want %q", body, tt.body)
			}
			if host := got.Headers["host"]; !strings.Contains(tt.url, "://"+host+"/") {
				t.Errorf("host header %q does not match the URL", host)
			}
			if got.CF["httpProtocol"] != "HTTP/1.1" {
				t.Errorf("cf.httpProtocol = %v", got.CF["httpProtocol"])
			}

			// Every Set-Cookie survives, in the field this format uses.
			want := []string{"a=1; Path=/; HttpOnly", "b=2; Path=/; Secure"}
			if c := r.setCookies(); !reflect.DeepEqual(c, want) {
				t.Errorf("Set-Cookie = %q, want %q", c, want)
			}
			switch tt.wantFormat {
			case "cookies":
				if len(r.Cookies) != 2 || r.MultiValueHeaders != nil {
					t.Errorf("payload 2.0 response must carry cookies in cookies: %+v", r)
				}
			case "multiValueHeaders":
				if r.Headers != nil || len(r.MultiValueHeaders["set-cookie"]) != 2 {
					t.Errorf("multi-value response must use multiValueHeaders only: %+v", r)
				}
			case "headers":
				if r.MultiValueHeaders != nil || len(r.Headers) == 0 {
					t.Errorf("single-value ALB response must use headers only: %+v", r)
				}
			}
			if ct := r.header("content-type"); ct != "application/json" {
				t.Errorf("content-type = %q", ct)
			}
			if strings.HasPrefix(tt.fixture, "alb") && r.StatusDescription != "200 OK" {
				t.Errorf("ALB statusDescription = %q", r.StatusDescription)
			}
		})
	}
}

func TestResponseBodies(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w)
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	tests := []struct {
		path       string
		status     int
		base64     bool
		body       []byte
		bodyPrefix string
	}{
		{path: "/binary", status: 200, base64: true, body: allBytes},
		{path: "/latin1", status: 200, base64: true, body: []byte("caf\xe9")},
		{path: "/wait", status: 200, base64: false, body: []byte("responded")},
		{path: "/large?n=5000000", status: 200, base64: false, body: bytes.Repeat([]byte("x"), 5000000)},
		// Over Lambda's 6 MB: a clear 502, not a truncated body or a dead runtime.
		{path: "/large?n=7000000", status: 502, bodyPrefix: "Ferry: the Worker's response is too large for AWS Lambda"},
		{path: "/throw", status: 500, bodyPrefix: "Worker threw exception (request req-1)"},
		{path: "/spin", status: 503, bodyPrefix: "Worker exceeded resource limits"},
	}
	for _, format := range []string{"function-url.json", "apigw-v1-rest.json", "alb-single.json"} {
		for _, tt := range tests {
			t.Run(format+tt.path, func(t *testing.T) {
				r := invokeHTTP(t, h, withPath(t, fixture(t, format), tt.path))
				if r.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %.200s", r.StatusCode, tt.status, r.Body)
				}
				if tt.bodyPrefix != "" {
					if b := string(r.bytes(t)); !strings.HasPrefix(b, tt.bodyPrefix) {
						t.Fatalf("body %.300q, want prefix %q", b, tt.bodyPrefix)
					}
					return
				}
				if r.IsBase64Encoded != tt.base64 {
					t.Errorf("isBase64Encoded = %v, want %v", r.IsBase64Encoded, tt.base64)
				}
				if b := r.bytes(t); !bytes.Equal(b, tt.body) {
					t.Errorf("body = %.100q (%d bytes), want %.100q (%d bytes)", b, len(b), tt.body, len(tt.body))
				}
			})
		}
	}
	// The runtime lived through the exception, the CPU limit and the 502.
	if r := invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/wait")); r.StatusCode != 200 {
		t.Fatalf("after the failures: status %d", r.StatusCode)
	}
}

// withPath points an HTTP fixture at another path (and query).
func withPath(t testing.TB, payload []byte, pathQuery string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	path, query, _ := strings.Cut(pathQuery, "?")
	if _, ok := ev["rawPath"]; ok {
		ev["rawPath"], ev["rawQueryString"] = path, query
	} else {
		ev["path"] = path
		if rc, ok := ev["requestContext"].(map[string]any); ok {
			delete(rc, "path")
		}
		params := map[string]any{}
		multi := map[string]any{}
		if query != "" {
			k, v, _ := strings.Cut(query, "=")
			params[k] = v
			multi[k] = []string{v}
		}
		ev["queryStringParameters"] = params
		if _, ok := ev["multiValueQueryStringParameters"]; ok {
			ev["multiValueQueryStringParameters"] = multi
		}
	}
	ev["body"], ev["isBase64Encoded"] = "", false
	b, _ := json.Marshal(ev)
	return b
}

func TestHEADHasNoBody(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w)
	var ev map[string]any
	json.Unmarshal(withPath(t, fixture(t, "apigw-v2-http.json"), "/binary"), &ev)
	ev["requestContext"].(map[string]any)["http"].(map[string]any)["method"] = "HEAD"
	payload, _ := json.Marshal(ev)
	r := invokeHTTP(t, h, payload)
	if r.StatusCode != 200 || r.Body != "" || r.header("content-type") != "application/octet-stream" {
		t.Fatalf("HEAD = %+v", r)
	}
}

// TestWaitUntil checks that a buffered response is ready before the
// waitUntil work ends, and that the invocation (Close, then Invoke) only
// returns once it has.
func TestWaitUntil(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("streaming=%v", stream), func(t *testing.T) {
			w := loadWorker(t, "testdata/worker/index.js", nil)
			h := lambdaadapter.New(w, lambdaadapter.WithStreaming(stream))
			waited := func() float64 {
				out, err := h.Invoke(lambdaCtx("state"), withPath(t, fixture(t, "apigw-v2-http.json"), "/state"))
				if err != nil {
					t.Fatal(err)
				}
				var r response
				json.Unmarshal(out, &r)
				var st struct{ Waited float64 }
				json.Unmarshal(r.bytes(t), &st)
				return st.Waited
			}
			start := time.Now()
			rd, err := h.Serve(lambdaCtx("w1"), withPath(t, fixture(t, "function-url.json"), "/wait"))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(rd)
			if d := time.Since(start); d > 120*time.Millisecond {
				t.Errorf("the response waited for waitUntil: %v", d)
			}
			if !strings.Contains(string(body), "responded") {
				t.Fatalf("body %q", body)
			}
			if n := waited(); n != 0 {
				t.Fatalf("waitUntil work done before the response was even closed: %v", n)
			}
			rd.(io.Closer).Close()
			if n := waited(); n != 1 {
				t.Fatalf("after Close, waited = %v, want 1", n)
			}
			if _, err := h.Invoke(lambdaCtx("w2"), withPath(t, fixture(t, "alb-single.json"), "/wait")); err != nil {
				t.Fatal(err)
			}
			if n := waited(); n != 2 {
				t.Fatalf("after Invoke, waited = %v, want 2", n)
			}
		})
	}
}

func TestDeadlineBecomesWallLimit(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w, lambdaadapter.WithDeadlineMargin(50*time.Millisecond))
	ctx, cancel := context.WithTimeout(lambdaCtx("slow"), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	out, err := h.Invoke(ctx, withPath(t, fixture(t, "apigw-v2-http.json"), "/slow"))
	if err != nil {
		t.Fatal(err)
	}
	var r response
	json.Unmarshal(out, &r)
	if r.StatusCode != http.StatusGatewayTimeout || !strings.Contains(r.Body, "Lambda function's timeout") {
		t.Fatalf("got %d %q, want 504", r.StatusCode, r.Body)
	}
	if d := time.Since(start); d > 400*time.Millisecond || d < 300*time.Millisecond {
		t.Errorf("answered after %v, want shortly before the 400ms deadline", d)
	}
}

// TestStreaming reads a function URL response in RESPONSE_STREAM mode: the
// JSON prelude (status, headers, cookies), eight NUL bytes, then the body.
func TestStreaming(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w, lambdaadapter.WithStreaming(true))
	tests := []struct {
		path, format string
		status       int
		body         []byte
	}{
		{"/binary", "function-url.json", 200, nil},
		{"/large?n=7000000", "function-url.json", 200, bytes.Repeat([]byte("x"), 7000000)},
		{"/throw", "function-url.json", 500, []byte("Worker threw exception (request req-1)\n")},
	}
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	tests[0].body = allBytes
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			out, err := h.Invoke(lambdaCtx("req-1"), withPath(t, fixture(t, tt.format), tt.path))
			if err != nil {
				t.Fatal(err)
			}
			prelude, body, ok := bytes.Cut(out, make([]byte, 8))
			if !ok {
				t.Fatalf("no prelude separator in %.200q", out)
			}
			var p struct {
				StatusCode int               `json:"statusCode"`
				Headers    map[string]string `json:"headers"`
				Cookies    []string          `json:"cookies"`
			}
			if err := json.Unmarshal(prelude, &p); err != nil {
				t.Fatalf("prelude %q: %v", prelude, err)
			}
			if p.StatusCode != tt.status || !bytes.Equal(body, tt.body) {
				t.Fatalf("got %d %.100q (%d bytes), want %d %.100q", p.StatusCode, body, len(body), tt.status, tt.body)
			}
		})
	}
	// Streaming is for function URLs only: API Gateway gets the buffered document.
	r := invokeHTTP(t, h, withPath(t, fixture(t, "apigw-v2-http.json"), "/binary"))
	if r.StatusCode != 200 || !r.IsBase64Encoded {
		t.Fatalf("API Gateway response in streaming mode: %+v", r)
	}
}

type visibilityCalls struct {
	mu    sync.Mutex
	arn   string
	calls []lambdaadapter.VisibilityChange
}

func (v *visibilityCalls) ChangeVisibility(_ context.Context, arn string, changes []lambdaadapter.VisibilityChange) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.arn = arn
	v.calls = append(v.calls, changes...)
	return nil
}

func TestSQSBatch(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	vis := &visibilityCalls{}
	h := lambdaadapter.New(w, lambdaadapter.WithVisibility(vis),
		lambdaadapter.WithConsumers([]manifest.Consumer{{Queue: "jobs", RetryDelay: 7}}))
	out, err := h.Invoke(lambdaCtx("sqs-1"), fixture(t, "sqs-batch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	sort.Strings(failed)
	wantFailed := []string{
		"2e1424d4-f796-459a-8184-9c92662be6da", // retry({delaySeconds: 30})
		"5b8e2d4f-6c3a-4d9e-8f1b-2c3d4e5f6a71", // "bytes" that are not base64: never reaches the Worker
		"6c9f3e5a-7d4b-4e0f-9a2c-3d4e5f6a7b82", // retry()
	}
	if !reflect.DeepEqual(failed, wantFailed) {
		t.Fatalf("batchItemFailures = %q, want %q", failed, wantFailed)
	}
	wantVis := []lambdaadapter.VisibilityChange{
		{MessageID: "2e1424d4-f796-459a-8184-9c92662be6da", ReceiptHandle: "AQEB2e1424d4-f796-459a-8184-9c92662be6dahandle", Timeout: 30 * time.Second},
		{MessageID: "6c9f3e5a-7d4b-4e0f-9a2c-3d4e5f6a7b82", ReceiptHandle: "AQEB6c9f3e5a-7d4b-4e0f-9a2c-3d4e5f6a7b82handle", Timeout: 7 * time.Second}, // the consumer's retry_delay
	}
	if vis.arn != "arn:aws:sqs:us-east-1:123456789012:jobs" || !reflect.DeepEqual(vis.calls, wantVis) {
		t.Fatalf("visibility changes on %s = %+v, want %+v", vis.arn, vis.calls, wantVis)
	}

	// What the Worker saw.
	r := invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/state"))
	var st struct {
		Queue []struct {
			Queue     string
			ID        string
			Attempts  int
			Timestamp int64
			Body      any
		}
	}
	json.Unmarshal(r.bytes(t), &st)
	if len(st.Queue) != 5 {
		t.Fatalf("the Worker saw %d messages, want 5: %+v", len(st.Queue), st.Queue)
	}
	bodies := []any{
		map[string]any{"action": "ack", "n": 1.0},
		map[string]any{"action": "retry", "delay": 30.0},
		"plain text",
		map[string]any{"bytes": "AAEC+g=="},
		map[string]any{"action": "retry"},
	}
	attempts := []int{1, 3, 1, 2, 1}
	for i, m := range st.Queue {
		if m.Queue != "jobs" || m.Timestamp != 1710093984000 || m.Attempts != attempts[i] || !reflect.DeepEqual(m.Body, bodies[i]) {
			t.Errorf("message %d = %+v, want body %v, attempts %d", i, m, bodies[i], attempts[i])
		}
	}
}

func TestSQSHandlerThrows(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w, lambdaadapter.WithQueueNames(map[string]string{"prod-jobs": "jobs"}))
	var ev struct{ Records []map[string]any }
	json.Unmarshal(fixture(t, "sqs-batch.json"), &ev)
	recs := ev.Records[:3]
	recs[1]["body"] = `{"action":"throw"}`
	for _, r := range recs {
		r["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:prod-jobs"
	}
	payload, _ := json.Marshal(map[string]any{"Records": recs})
	out, err := h.Invoke(lambdaCtx("sqs-2"), payload)
	if err != nil {
		t.Fatal(err)
	}
	// The first message was acked before the throw; the rest retry.
	want := `{"batchItemFailures":[{"itemIdentifier":"2e1424d4-f796-459a-8184-9c92662be6da"},{"itemIdentifier":"3f1c5e2a-0b7d-4e0e-9a51-7c3a9d7e6b21"}]}`
	if string(out) != want {
		t.Fatalf("got %s\nwant %s", out, want)
	}
}

func TestScheduled(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	tests := []struct {
		name    string
		payload []byte
		crons   []string
		cron    string
		at      time.Time
		err     string
	}{
		{name: "target input", payload: fixture(t, "eventbridge-input.json"), cron: "*/5 * * * *", at: time.Date(2026, 11, 1, 12, 5, 0, 0, time.UTC)},
		{name: "plain event, one cron", payload: fixture(t, "eventbridge-scheduled.json"), crons: []string{"*/15 * * * *"}, cron: "*/15 * * * *", at: time.Date(2015, 10, 8, 16, 53, 0, 0, time.UTC)},
		{name: "plain event, two crons", payload: fixture(t, "eventbridge-scheduled.json"), crons: []string{"* * * * *", "0 * * * *"}, err: `set the EventBridge target's input to {"ferry":{"cron":`},
		{name: "handler throws", payload: []byte(`{"ferry":{"cron":"0 0 * * *"}}`), err: "nightly failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := lambdaadapter.New(w, lambdaadapter.WithCrons(tt.crons))
			out, err := h.Invoke(lambdaCtx("cron"), tt.payload)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || string(out) != `{"outcome":"ok"}` {
				t.Fatalf("Invoke = %s, %v", out, err)
			}
			r := invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/state"))
			var st struct {
				Scheduled []struct {
					Cron          string
					ScheduledTime int64
				}
			}
			json.Unmarshal(r.bytes(t), &st)
			last := st.Scheduled[len(st.Scheduled)-1]
			if last.Cron != tt.cron || last.ScheduledTime != tt.at.UnixMilli() {
				t.Fatalf("scheduled saw %+v, want %q at %v", last, tt.cron, tt.at)
			}
		})
	}
}

func TestUnknownEvents(t *testing.T) {
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w)
	tests := []struct {
		payload string
		err     string
	}{
		{`{"Records":[{"eventSource":"aws:s3","s3":{}}]}`, `Records from "aws:s3"`},
		{`{"detail-type":"Object Created","source":"aws.s3","detail":{}}`, "top-level keys: detail, detail-type, source"},
		{`{}`, "top-level keys: none"},
		{`"hello"`, "not a JSON object (a string)"},
		{`[1,2]`, "not a JSON object (an array)"},
		{`null`, "null, not a JSON object"},
		{`{"requestContext":{"foo":1},"path":"/"}`, "unrecognised Lambda HTTP event (top-level keys: path, requestContext)"},
		{`{"ferry":{"cron":5}}`, `reading "ferry"`},
		{`{"rawPath":"/","requestContext":{"http":{"method":"GET"}},"body":"%%%","isBase64Encoded":true}`, "marked base64 but is not"},
	}
	for _, tt := range tests {
		t.Run(tt.payload, func(t *testing.T) {
			_, err := h.Invoke(lambdaCtx("x"), []byte(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.err)
			}
		})
	}
}

// TestAWSLambdaGoFixtures runs the example events shipped with aws-lambda-go
// (read from the module cache) through the adapter: every HTTP one is
// answered, the SQS one is processed. (lambda-urls-request.json is left out:
// its host is the placeholder "<url-id>", which no URL parser accepts.)
func TestAWSLambdaGoFixtures(t *testing.T) {
	dir := moduleDir(t, "github.com/aws/aws-lambda-go")
	w := loadWorker(t, "testdata/worker/index.js", nil)
	h := lambdaadapter.New(w)
	for _, name := range []string{
		"apigw-request.json", "apigw-restapi-openapi-request.json", "apigw-v2-request-no-authorizer.json",
		"apigw-v2-request-iam.json", "apigw-v2-request-jwt-authorizer.json",
		"alb-lambda-target-request-headers-only.json", "alb-lambda-target-request-multivalue-headers.json",
	} {
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join(dir, "events", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			r := invokeHTTP(t, h, payload)
			var got echo
			if err := json.Unmarshal(r.bytes(t), &got); err != nil || r.StatusCode != 200 {
				t.Fatalf("status %d: %s", r.StatusCode, r.Body)
			}
			if !strings.HasPrefix(got.URL, "http") || got.Method == "" {
				t.Fatalf("request %s %s", got.Method, got.URL)
			}
		})
	}
	payload, err := os.ReadFile(filepath.Join(dir, "events", "testdata", "sqs-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(lambdaCtx("sqs"), payload)
	if err != nil || string(out) != `{"batchItemFailures":[]}` {
		t.Fatalf("sqs-event.json: %s, %v", out, err)
	}
}

// TestHelloExample serves examples/hello through the adapter, as on Lambda.
func TestHelloExample(t *testing.T) {
	w := loadWorker(t, "../../examples/hello/src/index.js", map[string]any{"GREETING": "Hello from Ferry!"})
	h := lambdaadapter.New(w, lambdaadapter.WithCrons([]string{"*/15 * * * *"}))
	r := invokeHTTP(t, h, withPath(t, fixture(t, "function-url.json"), "/"))
	if r.StatusCode != 200 || r.Body != "Hello from Ferry!\n" || r.IsBase64Encoded || r.header("content-type") != "text/plain; charset=utf-8" {
		t.Fatalf("GET / = %+v", r)
	}
	r = invokeHTTP(t, h, withPath(t, fixture(t, "apigw-v1-rest.json"), "/json?a=1"))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"query":{"a":"1"}`) {
		t.Fatalf("GET /json?a=1 = %+v", r)
	}
	if out, err := h.Invoke(lambdaCtx("cron"), fixture(t, "eventbridge-scheduled.json")); err != nil || string(out) != `{"outcome":"ok"}` {
		t.Fatalf("scheduled: %s, %v", out, err)
	}
}

// moduleDir is where the module cache holds the version of a dependency
// this module builds with.
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil {
		t.Skipf("go list -m %s: %v", path, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Skipf("%s is not in the module cache", path)
	}
	return dir
}
