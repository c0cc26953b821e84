//go:build !ferry_noaws

package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ferry-run/ferry/internal/testutil"
)

// serveOnAWS runs `ferry serve DIR` in process with the process environment
// plus extra (FERRY_* variables) and returns its base URL and its log.
func serveOnAWS(t *testing.T, dir string, extra map[string]string) (string, *testutil.SyncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testutil.SyncBuffer{}
	ready := make(chan string, 1)
	exit := make(chan int, 1)
	environ := os.Environ()
	for k, v := range extra {
		environ = append(environ, k+"="+v)
	}
	st := &State{
		Args:   []string{"serve", dir, "--port", "0", "--ip", "127.0.0.1", "--no-persist", "--log-format", "text"},
		Stdout: io.Discard, Stderr: logs,
		Getenv: func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return os.Getenv(k)
		},
		Environ: func() []string { return environ },
		Getwd:   os.Getwd, Ctx: ctx,
		Ready: func(addr string) { ready <- addr },
	}
	go func() { exit <- Main(st) }()
	select {
	case addr := <-ready:
		t.Cleanup(func() {
			cancel()
			if code := <-exit; code != 0 {
				t.Errorf("ferry serve exited %d:\n%s", code, logs)
			}
		})
		return "http://" + addr, logs
	case code := <-exit:
		cancel()
		t.Fatalf("ferry serve exited %d:\n%s", code, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("ferry serve did not start:\n%s", logs)
	}
	return "", nil
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, b)
	}
	return string(b)
}

// TestServeKVOnDynamoDB serves examples/kv-counter with its KV namespace
// mapped to a DynamoDB table (moto) by FERRY_KV_COUNTS.
func TestServeKVOnDynamoDB(t *testing.T) {
	e := newAWSTestEnv(t)
	table := e.table(t, "serve-counts")
	base, logs := serveOnAWS(t, "../../examples/kv-counter", map[string]string{"FERRY_KV_COUNTS": table})
	for _, want := range []string{"/a has been visited 1 time\n", "/a has been visited 2 times\n"} {
		if got := httpGet(t, base+"/a"); got != want {
			t.Fatalf("GET /a = %q, want %q\n%s", got, want, logs)
		}
	}
	out, err := e.ddb.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 1 {
		t.Errorf("the DynamoDB table holds %d items, want the one counter", out.Count)
	}
}

// TestServeQueuesOnSQS: a producer and a consumer of one queue mapped to an
// SQS queue by [ferry.aws.queues]; the consumer polls SQS.
func TestServeQueuesOnSQS(t *testing.T) {
	e := newAWSTestEnv(t)
	url := e.queue(t, "serve-work-"+e.suffix, nil)
	dir := t.TempDir()
	write(t, dir, "wrangler.toml", `name = "sqs-serve"
main = "index.js"
[[queues.producers]]
binding = "WORK"
queue = "work"
[[queues.consumers]]
queue = "work"
max_batch_size = 5
max_batch_timeout = 0
[ferry.aws.queues]
work = "`+url+`"
`)
	write(t, dir, "index.js", `export default {
  async fetch(req, env) {
    const n = new URL(req.url).searchParams.get("n");
    await env.WORK.send({ n: Number(n) });
    return new Response("sent " + n);
  },
  async queue(batch) {
    for (const m of batch.messages) console.log("got " + m.body.n + " from " + batch.queue + " attempt " + m.attempts);
  },
};
`)
	base, logs := serveOnAWS(t, dir, nil)
	for _, n := range []string{"1", "2", "3"} {
		if got := httpGet(t, base+"/?n="+n); got != "sent "+n {
			t.Fatalf("GET = %q", got)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s := logs.String()
		if strings.Contains(s, "got 1 from work attempt 1") && strings.Contains(s, "got 2 from work") && strings.Contains(s, "got 3 from work") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the consumer did not receive the messages from SQS:\n%s", logs)
}
