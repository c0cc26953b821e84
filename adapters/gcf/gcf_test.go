package gcf_test

import (
	"bufio"
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
	"testing"
	"time"

	"github.com/ferry-run/ferry/adapters/gcf"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/internal/testutil"
)

// newHandler bundles entry (a file, or JS source when it contains a newline)
// and returns the GCF handler of its Worker and the Worker's log.
func newHandler(t *testing.T, entry string, spec *env.Spec, opts ...gcf.Option) (*gcf.Handler, *testutil.SyncBuffer) {
	t.Helper()
	if strings.Contains(entry, "\n") {
		f := filepath.Join(t.TempDir(), "worker.js")
		if err := os.WriteFile(f, []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		entry = f
	}
	entry, _ = filepath.Abs(entry)
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: filepath.Dir(entry)})
	if err != nil {
		t.Fatal(err)
	}
	logs := &testutil.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	w, err := core.New(core.Options{Bundle: b, Runtimes: 1, Env: spec, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return gcf.New(w, append([]gcf.Option{gcf.WithLogger(log)}, opts...)...), logs
}

func TestHelloOverHTTP(t *testing.T) {
	h, _ := newHandler(t, "../../examples/hello/src/index.js", &env.Spec{Vars: map[string]any{"GREETING": "Hello from Ferry!"}})
	srv := httptest.NewServer(http.HandlerFunc(h.ServeHTTP))
	defer srv.Close()
	res, body := do(t, "GET", srv.URL+"/", nil, nil)
	if res.StatusCode != 200 || body != "Hello from Ferry!\n" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("GET / = %d %q %v", res.StatusCode, body, res.Header)
	}
	_, body = do(t, "GET", srv.URL+"/json?a=1&b=two", nil, nil)
	var got struct {
		Path  string            `json:"path"`
		Query map[string]string `json:"query"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Path != "/json" || got.Query["b"] != "two" {
		t.Fatalf("GET /json = %s (%v)", body, err)
	}
}

func TestKVCounterOverHTTP(t *testing.T) {
	st, err := local.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ns, err := st.KV("counts")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := newHandler(t, "../../examples/kv-counter/src/index.js", &env.Spec{KV: map[string]kv.Namespace{"COUNTS": ns}})
	srv := httptest.NewServer(http.HandlerFunc(h.ServeHTTP))
	defer srv.Close()
	for _, want := range []string{"/a has been visited 1 time\n", "/a has been visited 2 times\n"} {
		if res, body := do(t, "GET", srv.URL+"/a", nil, nil); res.StatusCode != 200 || body != want {
			t.Fatalf("GET /a = %d %q, want %q", res.StatusCode, body, want)
		}
	}
}

const echoWorker = `
export default {
  async fetch(req, env, ctx) {
    const url = new URL(req.url);
    if (url.pathname === "/stream") {
      const enc = new TextEncoder();
      return new Response(new ReadableStream({
        async start(c) {
          c.enqueue(enc.encode("first;"));
          await new Promise((r) => setTimeout(r, 400));
          c.enqueue(enc.encode("second"));
          c.close();
        },
      }));
    }
    if (url.pathname === "/wait") {
      ctx.waitUntil(new Promise((r) => setTimeout(r, 300)).then(() => console.log("waitUntil done")));
      return new Response("answered");
    }
    if (url.pathname === "/throw") throw new Error("boom");
    const body = new Uint8Array(await req.arrayBuffer());
    const h = new Headers({ "x-url": req.url, "x-method": req.method, "x-ip": req.headers.get("cf-connecting-ip") ?? "",
      "x-multi": req.headers.get("x-multi") ?? "", "content-type": "application/octet-stream" });
    h.append("set-cookie", "a=1; Path=/");
    h.append("set-cookie", "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT");
    return new Response(body.reverse(), { status: 201, headers: h });
  },
};
`

func TestHTTPTranslation(t *testing.T) {
	h, logs := newHandler(t, echoWorker, nil)
	srv := httptest.NewServer(http.HandlerFunc(h.ServeHTTP))
	defer srv.Close()

	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	req, _ := http.NewRequest("PUT", srv.URL+"/p/a%2Fb?q=1&q=2&x=%20", bytes.NewReader(bin))
	req.Host = "fn-abc.a.run.app"
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("status %d: %s", res.StatusCode, got)
	}
	for i, b := range got {
		if b != byte(255-i) || len(got) != 256 {
			t.Fatalf("binary body came back altered: %v", got)
		}
	}
	for k, want := range map[string]string{
		"X-Url":    "https://fn-abc.a.run.app/p/a%2Fb?q=1&q=2&x=%20",
		"X-Method": "PUT",
		"X-Ip":     "203.0.113.9",
		"X-Multi":  "one, two",
	} {
		if v := res.Header.Get(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if c := res.Header.Values("Set-Cookie"); len(c) != 2 || c[0] != "a=1; Path=/" || c[1] != "b=2; Expires=Wed, 21 Oct 2026 07:28:00 GMT" {
		t.Errorf("Set-Cookie = %q", c)
	}

	t.Run("waitUntil ends before the function returns", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/wait", nil))
		if rec.Body.String() != "answered" || !strings.Contains(logs.String(), "waitUntil done") {
			t.Fatalf("returned with body %q before the waitUntil work ended:\n%s", rec.Body, logs)
		}
		if rec.Header().Get("Content-Length") != "8" {
			t.Errorf("a buffered body goes out with its Content-Length (the client has it all while waitUntil runs): %v", rec.Header())
		}
	})

	t.Run("a streamed body is flushed as written", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		r := bufio.NewReader(res.Body)
		first, err := r.ReadString(';')
		at := time.Now()
		if err != nil || first != "first;" {
			t.Fatalf("first chunk %q %v", first, err)
		}
		rest, _ := io.ReadAll(r)
		if string(rest) != "second" {
			t.Fatalf("rest %q", rest)
		}
		if d := time.Since(at); d < 250*time.Millisecond {
			t.Errorf("the first chunk arrived only %v before the second: it was not flushed", d)
		}
	})

	t.Run("an exception is a 500 without the stack", func(t *testing.T) {
		res, body := do(t, "GET", srv.URL+"/throw", nil, nil)
		if res.StatusCode != 500 || body != "Worker threw exception\n" {
			t.Errorf("= %d %q", res.StatusCode, body)
		}
	})
}

const eventWorker = `
export default {
  async fetch() { return new Response("fetch") },
  async queue(batch, env, ctx) {
    for (const m of batch.messages) {
      console.log("QUEUE " + batch.queue + " id=" + m.id + " attempts=" + m.attempts + " ts=" + m.timestamp.toISOString() + " body=" + JSON.stringify(m.body));
      if (m.body && m.body.job === "retry") m.retry({ delaySeconds: 30 });
      else if (m.body && m.body.job === "throw") throw new Error("queue handler broke");
      else m.ack();
    }
  },
  async scheduled(ev, env, ctx) {
    console.log("SCHEDULED cron=" + ev.cron + " at=" + new Date(ev.scheduledTime).toISOString());
  },
  async event(ce, env, ctx) {
    console.log("EVENT type=" + ce.type + " source=" + ce.source + " subject=" + ce.subject + " name=" + ce.data.name);
  },
};
`

// post sends a testdata request (headers, blank line, body) to the event
// function at path.
func post(t *testing.T, h *gcf.Handler, file, path string) *httptest.ResponseRecorder {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\n\n")
	req := httptest.NewRequest("POST", path, strings.NewReader(strings.TrimSuffix(body, "\n")))
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, ":")
		req.Header.Add(k, strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	h.ServeEvent(rec, req)
	return rec
}

func TestEvents(t *testing.T) {
	h, logs := newHandler(t, eventWorker, nil, gcf.WithQueueNames(map[string]string{"mysubscription": "jobs"}), gcf.WithCrons([]string{"*/5 * * * *", "*/15 * * * *"}))
	for _, tc := range []struct {
		name, file, path string
		status           int
		log              string
	}{
		{"Pub/Sub binary CloudEvent, acked", "pubsub-binary.http", "/", 204,
			`QUEUE jobs id=1096434104173400 attempts=1 ts=2021-02-26T19:13:55.749Z body={\"job\":\"ack\"}`},
		{"Pub/Sub structured CloudEvent, retried", "pubsub-structured.http", "/", 500,
			`QUEUE jobs id=2070443601311540 attempts=1 ts=2021-02-26T19:13:55.749Z body={\"job\":\"retry\"}`},
		{"Pub/Sub push with deliveryAttempt, text body", "pubsub-push.http", "/", 204,
			`QUEUE jobs id=2070443601311540 attempts=3 ts=2021-02-26T19:13:55.749Z body=\"Hello Cloud Pub/Sub! Here is my message!\"`},
		{"Pub/Sub push, topic from the path", "pubsub-push.http", "/projects/myproject/topics/emails", 204,
			`QUEUE emails id=2070443601311540 attempts=3`},
		{"Cloud Scheduler through Pub/Sub", "scheduler-pubsub.http", "/", 204,
			`SCHEDULED cron=*/5 * * * * at=2026-11-22T10:05:00.312Z`},
		{"Cloud Scheduler HTTP job", "scheduler-http.http", "/", 204,
			`SCHEDULED cron=*/15 * * * * at=2026-11-22T10:15:00.000Z`},
		{"another CloudEvent goes to event()", "storage-finalized.http", "/", 204,
			`EVENT type=google.cloud.storage.object.v1.finalized source=//storage.googleapis.com/projects/_/buckets/my-bucket subject=objects/my-file.txt name=my-file.txt`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, h, tc.file, tc.path)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if !strings.Contains(logs.String(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, logs)
			}
		})
	}
	if !strings.Contains(logs.String(), "retry({delaySeconds: 30}) cannot set the delay on Pub/Sub") {
		t.Errorf("a retry delay Pub/Sub cannot honour is not reported:\n%s", logs)
	}

	t.Run("a thrown queue() is a 500", func(t *testing.T) {
		body := `{"message":{"data":"` + b64(`{"job":"throw"}`) + `","attributes":{"ferry-content-type":"json"},"messageId":"9"},"subscription":"projects/p/subscriptions/mysubscription"}`
		rec := httptest.NewRecorder()
		h.ServeEvent(rec, httptest.NewRequest("POST", "/", strings.NewReader(body)))
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), "queue handler broke") {
			t.Errorf("= %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("a request that is no event is a 400", func(t *testing.T) {
		rec := httptest.NewRecorder()
		h.ServeEvent(rec, httptest.NewRequest("POST", "/", strings.NewReader(`{"hello":1}`)))
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "not a CloudEvent") {
			t.Errorf("= %d %s", rec.Code, rec.Body)
		}
	})
}

func TestEventWithoutHandler(t *testing.T) {
	h, _ := newHandler(t, "export default { fetch() { return new Response('x') } };\n", nil)
	rec := post(t, h, "storage-finalized.http", "/")
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "does not export an event() function") {
		t.Errorf("= %d %s", rec.Code, rec.Body)
	}
}

func b64(s string) string {
	b, _ := json.Marshal([]byte(s))
	return strings.Trim(string(b), `"`)
}

func do(t *testing.T, method, url string, body io.Reader, hdr http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}
