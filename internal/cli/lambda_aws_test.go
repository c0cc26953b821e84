//go:build !ferry_noaws

package cli

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/sqs"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/internal/testutil"
)

// These tests run examples through the Lambda bootstrap's handler
// (lambdaHandler: the built package, the FERRY_* environment, the AWS
// bindings) with their bindings on moto, and expect what examples_test.go
// expects of the same examples under `ferry dev`.

var awsSeq atomic.Int64

// awsTestEnv points the AWS SDK at moto for the test (the bootstrap reads
// the process environment, as on Lambda) and returns the clients the test
// uses to create resources.
type awsTestEnv struct {
	moto   string
	ddb    *dynamodb.Client
	s3     *awss3.Client
	sqs    *awssqs.Client
	suffix string
}

func newAWSTestEnv(t *testing.T) *awsTestEnv {
	url := testutil.Moto(t)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": url, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		t.Setenv(k, v)
	}
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return &awsTestEnv{
		moto:   url,
		ddb:    dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url)}),
		s3:     awss3.New(awss3.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url), UsePathStyle: true}),
		sqs:    awssqs.New(awssqs.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url)}),
		suffix: fmt.Sprintf("%d-%d", os.Getpid(), awsSeq.Add(1)),
	}
}

func (e *awsTestEnv) table(t *testing.T, name string) string {
	t.Helper()
	name += "-" + e.suffix
	if _, err := e.ddb.CreateTable(context.Background(), dynamo.CreateTableInput(name)); err != nil {
		t.Fatalf("creating table %s: %v", name, err)
	}
	return name
}

func (e *awsTestEnv) bucket(t *testing.T, name string) string {
	t.Helper()
	name += "-" + e.suffix
	if _, err := e.s3.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
	return name
}

func (e *awsTestEnv) queue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.sqs.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("creating queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// lambdaFor builds the example's Lambda package and starts its handler with
// the environment env (FERRY_* variables), as the bootstrap does.
func lambdaFor(t *testing.T, example string, env map[string]string) (*lambdaadapter.Handler, *testutil.SyncBuffer) {
	t.Helper()
	boot, err := exec.LookPath("true") // any linux executable: the handler runs in this process
	if err != nil {
		t.Skip("no `true` executable to stand in for the bootstrap")
	}
	wd, _ := os.Getwd()
	out := filepath.Join(t.TempDir(), "pkg")
	if code, _, stderr := run(t, wd, "build", "--target", "lambda", filepath.Join("..", "..", "examples", example), "--out", out, "--bootstrap", boot); code != 0 {
		t.Fatalf("ferry build %s: exit %d: %s", example, code, stderr)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	logs := &testutil.SyncBuffer{}
	st := &State{Getenv: os.Getenv, Environ: os.Environ, Stderr: logs}
	h, err := lambdaHandler(st, out, slog.New(newLogHandler(logs, slog.LevelInfo)))
	if err != nil {
		t.Fatalf("lambdaHandler: %v", err)
	}
	return h, logs
}

var invocations atomic.Int64

func invokeCtx() (context.Context, context.CancelFunc) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: fmt.Sprintf("req-%d", invocations.Add(1))})
	return context.WithTimeout(ctx, 30*time.Second)
}

type urlResponse struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
}

// urlFetch invokes h with a function URL event.
func urlFetch(t *testing.T, h *lambdaadapter.Handler, method, path, body string) (int, string) {
	t.Helper()
	ctx, cancel := invokeCtx()
	defer cancel()
	out, err := h.Invoke(ctx, []byte(fmt.Sprintf(functionURLEvent, path, method, path, body)))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var r urlResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, out)
	}
	if r.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(r.Body)
		r.Body = string(b)
	}
	return r.StatusCode, r.Body
}

// TestLambdaKVCounter: examples/kv-counter with COUNTS on DynamoDB.
func TestLambdaKVCounter(t *testing.T) {
	e := newAWSTestEnv(t)
	table := e.table(t, "counts")
	h, _ := lambdaFor(t, "kv-counter", map[string]string{"FERRY_KV_COUNTS": table})
	visit := func(path, want string) {
		t.Helper()
		if code, body := urlFetch(t, h, "GET", path, ""); code != 200 || body != want {
			t.Fatalf("GET %s = %d %q, want %q", path, code, body, want)
		}
	}
	visit("/a", "/a has been visited 1 time\n")
	visit("/a", "/a has been visited 2 times\n")
	visit("/b/c", "/b/c has been visited 1 time\n")
	if code, body := urlFetch(t, h, "DELETE", "/b/c", ""); code != 200 || body != "forgot /b/c\n" {
		t.Fatalf("DELETE /b/c = %d %q", code, body)
	}
	visit("/b/c", "/b/c has been visited 1 time\n")
	visit("/a", "/a has been visited 3 times\n")

	// A second instance (a cold start) sees the same data.
	h2, _ := lambdaFor(t, "kv-counter", map[string]string{"FERRY_KV_COUNTS": table})
	_, body := urlFetch(t, h2, "GET", "/__stats", "")
	var stats []struct {
		Path   string `json:"path"`
		Visits int    `json:"visits"`
		First  string `json:"first"`
	}
	if err := json.Unmarshal([]byte(body), &stats); err != nil {
		t.Fatalf("/__stats: %v: %s", err, body)
	}
	var got []string
	for _, s := range stats {
		got = append(got, fmt.Sprintf("%s=%d", s.Path, s.Visits))
		if _, err := time.Parse(time.RFC3339, s.First); err != nil {
			t.Errorf("%s: first visit %q: %v", s.Path, s.First, err)
		}
	}
	if strings.Join(got, " ") != "/a=3 /b/c=1" {
		t.Errorf("/__stats = %s", body)
	}
}

// TestLambdaAWSMissingBinding: a KV binding with no table fails the init,
// naming the binding and the variable.
func TestLambdaAWSMissingBinding(t *testing.T) {
	newAWSTestEnv(t)
	boot, err := exec.LookPath("true")
	if err != nil {
		t.Skip("no `true` executable")
	}
	wd, _ := os.Getwd()
	out := filepath.Join(t.TempDir(), "pkg")
	if code, _, stderr := run(t, wd, "build", "--target", "lambda", filepath.Join("..", "..", "examples", "kv-counter"), "--out", out, "--bootstrap", boot); code != 0 {
		t.Fatalf("ferry build: %s", stderr)
	}
	st := &State{Getenv: os.Getenv, Environ: os.Environ}
	_, err = lambdaHandler(st, out, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "KV namespace COUNTS has no DynamoDB table: set FERRY_KV_COUNTS=<table>") {
		t.Fatalf("init error = %v", err)
	}
}

// sqsRecord is one record of an SQS event, as Lambda's event source mapping
// writes it.
func sqsEventRecord(m sqstypes.Message, arn string) map[string]any {
	attrs := map[string]any{}
	for k, v := range m.MessageAttributes {
		attrs[k] = map[string]any{"stringValue": aws.ToString(v.StringValue), "dataType": aws.ToString(v.DataType), "stringListValues": []string{}, "binaryListValues": []string{}}
	}
	return map[string]any{
		"messageId": aws.ToString(m.MessageId), "receiptHandle": aws.ToString(m.ReceiptHandle), "body": aws.ToString(m.Body),
		"attributes": m.Attributes, "messageAttributes": attrs, "md5OfBody": aws.ToString(m.MD5OfBody),
		"eventSource": "aws:sqs", "eventSourceARN": arn, "awsRegion": "us-east-1",
	}
}

// pollOnce does what Lambda's SQS event source mapping does once: receive a
// batch, invoke the function with it, delete what did not fail. It returns
// how many messages the batch had.
func pollOnce(t *testing.T, e *awsTestEnv, h *lambdaadapter.Handler, url, name string, max int32) int {
	t.Helper()
	res, err := e.sqs.ReceiveMessage(context.Background(), &awssqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: max, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}, VisibilityTimeout: 30,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) == 0 {
		return 0
	}
	arn := "arn:aws:sqs:us-east-1:123456789012:" + name
	var recs []map[string]any
	for _, m := range res.Messages {
		recs = append(recs, sqsEventRecord(m, arn))
	}
	payload, _ := json.Marshal(map[string]any{"Records": recs})
	ctx, cancel := invokeCtx()
	out, err := h.Invoke(ctx, payload)
	cancel()
	if err != nil {
		t.Fatalf("SQS batch on %s: %v", name, err)
	}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range res.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			if _, err := e.sqs.DeleteMessage(context.Background(), &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return len(res.Messages)
}

// TestLambdaQueues: examples/queues with JOBS on SQS (jobs redriving to
// jobs-dlq after 3 receives: max_retries = 2) and RESULTS on DynamoDB. The
// producer runs in a function URL invocation, the consumer in SQS
// invocations built from what SQS delivers.
func TestLambdaQueues(t *testing.T) {
	e := newAWSTestEnv(t)
	results := e.table(t, "results")
	jobs, dlq := "jobs-"+e.suffix, "jobs-dlq-"+e.suffix
	dlqURL := e.queue(t, dlq, nil)
	redrive := fmt.Sprintf(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:%s","maxReceiveCount":"3"}`, dlq)
	jobsURL := e.queue(t, jobs, map[string]string{"RedrivePolicy": redrive})
	h, logs := lambdaFor(t, "queues", map[string]string{
		"FERRY_KV_RESULTS": results,
		"FERRY_QUEUE_JOBS": jobsURL,
		"FERRY_QUEUES":     fmt.Sprintf(`{%q:"jobs",%q:"jobs-dlq"}`, jobs, dlq),
	})
	enqueue := func(body string) {
		t.Helper()
		if code, resp := urlFetch(t, h, "POST", "/enqueue", body); code != 202 {
			t.Fatalf("POST /enqueue %s = %d %s", body, code, resp)
		}
	}
	enqueue(`[{"id":"a"},{"id":"b"},{"id":"flaky","failTimes":1},{"id":"poison","poison":true}]`)
	enqueue(`{"id":"single","delaySeconds":1}`)

	type result struct{ Attempts, Batch int }
	var done map[string]result
	var dead []string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n := pollOnce(t, e, h, jobsURL, jobs, 5) + pollOnce(t, e, h, dlqURL, dlq, 10)
		_, body := urlFetch(t, h, "GET", "/processed", "")
		done = nil
		json.Unmarshal([]byte(body), &done)
		_, body = urlFetch(t, h, "GET", "/dead", "")
		dead = nil
		json.Unmarshal([]byte(body), &dead)
		if len(done) == 4 && len(dead) == 1 {
			break
		}
		if n == 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	for id, want := range map[string]int{"a": 1, "b": 1, "flaky": 2, "single": 1} {
		if done[id].Attempts != want {
			t.Errorf("job %s done on attempt %d, want %d (processed %v)", id, done[id].Attempts, want, done)
		}
	}
	if !slices.Equal(dead, []string{"poison"}) {
		t.Errorf("dead = %v", dead)
	}
	out := logs.String()
	for _, want := range []string{"job poison failed on attempt 3; retrying", "job poison gave up after its retries"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "failed on attempt 4") {
		t.Errorf("a job was delivered more than max_retries+1 times:\n%s", out)
	}
}

// urlEvent invokes h with a function URL event carrying headers (name,
// value pairs), a query and a binary body (base64, as Lambda sends it).
func urlEvent(t *testing.T, h *lambdaadapter.Handler, method, path, query string, body []byte, header ...string) urlResponse {
	t.Helper()
	headers := map[string]string{"host": "abc.lambda-url.us-east-1.on.aws", "x-forwarded-proto": "https"}
	for i := 0; i+1 < len(header); i += 2 {
		headers[strings.ToLower(header[i])] = header[i+1]
	}
	ev := map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query, "headers": headers,
		"requestContext": map[string]any{"domainName": "abc.lambda-url.us-east-1.on.aws",
			"http": map[string]any{"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"}},
		"body": base64.StdEncoding.EncodeToString(body), "isBase64Encoded": true,
	}
	payload, _ := json.Marshal(ev)
	ctx, cancel := invokeCtx()
	defer cancel()
	out, err := h.Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var r urlResponse
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s %s: %v: %.200s", method, path, err, out)
	}
	if r.IsBase64Encoded {
		b, _ := base64.StdEncoding.DecodeString(r.Body)
		r.Body = string(b)
	}
	return r
}

// TestLambdaR2Files: examples/r2-files with FILES on S3, through function
// URL events (so without its multipart part: 5 MiB parts do not fit
// Lambda's 6 MB payloads).
func TestLambdaR2Files(t *testing.T) {
	e := newAWSTestEnv(t)
	bucket := e.bucket(t, "files")
	if _, err := e.s3.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("seeded.txt"), Body: strings.NewReader("from the CLI")}); err != nil {
		t.Fatal(err)
	}
	h, _ := lambdaFor(t, "r2-files", map[string]string{"FERRY_R2_FILES": bucket})
	md5hex := func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

	hello := []byte("hello, world")
	r := urlEvent(t, h, "PUT", "/files/docs/hello.txt", "", hello, "Content-Type", "text/plain;charset=utf-8")
	var put struct {
		Key, ETag, ContentType string
		Size                   int
	}
	if err := json.Unmarshal([]byte(r.Body), &put); err != nil || r.StatusCode != 201 || put.Key != "docs/hello.txt" ||
		put.Size != 12 || put.ETag != md5hex(hello) || put.ContentType != "text/plain;charset=utf-8" {
		t.Fatalf("PUT = %d %s", r.StatusCode, r.Body)
	}
	etag := `"` + md5hex(hello) + `"`
	r = urlEvent(t, h, "GET", "/files/docs/hello.txt", "", nil)
	if r.StatusCode != 200 || r.Body != "hello, world" || r.Headers["etag"] != etag || r.Headers["content-type"] != "text/plain;charset=utf-8" {
		t.Fatalf("GET = %d %q %v", r.StatusCode, r.Body, r.Headers)
	}
	for _, tc := range []struct {
		header       []string
		status       int
		body, crange string
	}{
		{[]string{"Range", "bytes=7-"}, 206, "world", "bytes 7-11/12"},
		{[]string{"Range", "bytes=-5"}, 206, "world", "bytes 7-11/12"},
		{[]string{"Range", "bytes=0-4"}, 206, "hello", "bytes 0-4/12"},
		{[]string{"Range", "bytes=0-100"}, 200, "hello, world", ""},
		{[]string{"If-None-Match", etag}, 304, "", ""},
		{[]string{"If-None-Match", `"other"`}, 200, "hello, world", ""},
		{[]string{"If-Match", `"other"`}, 412, "", ""},
		{[]string{"If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, 304, "", ""},
	} {
		r := urlEvent(t, h, "GET", "/files/docs/hello.txt", "", nil, tc.header...)
		if r.StatusCode != tc.status || r.Body != tc.body || r.Headers["content-range"] != tc.crange {
			t.Errorf("GET with %q = %d %q %q, want %d %q %q", tc.header, r.StatusCode, r.Body, r.Headers["content-range"], tc.status, tc.body, tc.crange)
		}
	}
	if r := urlEvent(t, h, "PUT", "/files/docs/hello.txt", "", []byte("overwritten"), "If-Match", `"stale"`); r.StatusCode != 412 {
		t.Errorf("conditional PUT = %d, want 412", r.StatusCode)
	}
	if r := urlEvent(t, h, "PUT", "/files/docs/hello.txt", "", []byte("overwritten"), "If-None-Match", "*"); r.StatusCode != 412 {
		t.Errorf("create-only PUT of an existing file = %d, want 412", r.StatusCode)
	}

	blob := make([]byte, 1<<20+5)
	for i := range blob {
		blob[i] = byte(i*13 + i>>9)
	}
	if r := urlEvent(t, h, "PUT", "/files/bin/blob.dat", "", blob, "Content-Type", "application/octet-stream"); r.StatusCode != 201 {
		t.Fatalf("PUT blob = %d %s", r.StatusCode, r.Body)
	}
	if r := urlEvent(t, h, "GET", "/files/bin/blob.dat", "", nil); r.StatusCode != 200 || r.Body != string(blob) {
		t.Fatalf("GET blob = %d, %d bytes", r.StatusCode, len(r.Body))
	}
	if r := urlEvent(t, h, "GET", "/files/bin/blob.dat", "", nil, "Range", "bytes=100000-199999"); r.StatusCode != 206 || r.Body != string(blob[100000:200000]) {
		t.Fatalf("GET blob range = %d, %d bytes", r.StatusCode, len(r.Body))
	}

	var page struct {
		Objects []struct {
			Key  string
			Size int
		}
		DelimitedPrefixes []string
		Truncated         bool
		Cursor            *string
	}
	r = urlEvent(t, h, "GET", "/files", "delimiter=/", nil)
	if err := json.Unmarshal([]byte(r.Body), &page); err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "seeded.txt" ||
		strings.Join(page.DelimitedPrefixes, ",") != "bin/,docs/" || page.Truncated {
		t.Errorf("list by directory = %s", r.Body)
	}
	r = urlEvent(t, h, "GET", "/files", "limit=2", nil)
	page.Objects, page.Cursor = nil, nil
	if err := json.Unmarshal([]byte(r.Body), &page); err != nil || len(page.Objects) != 2 || !page.Truncated || page.Cursor == nil {
		t.Fatalf("list page 1 = %s", r.Body)
	}
	r = urlEvent(t, h, "GET", "/files", "limit=2&cursor="+url.QueryEscape(*page.Cursor), nil)
	page.Objects = nil
	if err := json.Unmarshal([]byte(r.Body), &page); err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "seeded.txt" || page.Truncated {
		t.Errorf("list page 2 = %s", r.Body)
	}
	if r := urlEvent(t, h, "GET", "/files/seeded.txt", "", nil); r.Body != "from the CLI" {
		t.Errorf("seeded file = %q", r.Body)
	}
	if r := urlEvent(t, h, "DELETE", "/files/bin/blob.dat", "", nil); r.StatusCode != 204 {
		t.Errorf("DELETE = %d", r.StatusCode)
	}
	if r := urlEvent(t, h, "GET", "/files/bin/blob.dat", "", nil); r.StatusCode != 404 {
		t.Errorf("GET after DELETE = %d", r.StatusCode)
	}
	// The bucket holds what the Worker wrote.
	obj, err := e.s3.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("docs/hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(b) != "hello, world" {
		t.Errorf("S3 object = %q", b)
	}
}

// TestAWSBindingNames: where each binding goes, from the FERRY_* variables
// first, then [ferry.aws], then (queues only) the Workers queue's name.
func TestAWSBindingNames(t *testing.T) {
	newAWSTestEnv(t)
	b := manifest.Bindings{
		KVNamespaces: []config.KVNamespace{{Binding: "CACHE"}, {Binding: "SESSIONS"}},
		R2Buckets:    []config.R2Bucket{{Binding: "FILES"}},
		QueueProducers: []config.QueueProducer{
			{Binding: "BY_ENV", Queue: "a"}, {Binding: "BY_URL", Queue: "b"}, {Binding: "BY_NAME", Queue: "c"}, {Binding: "DEFAULT", Queue: "d"},
		},
	}
	env := map[string]string{"FERRY_KV_CACHE": "cache-table", "FERRY_QUEUE_BY_ENV": "http://127.0.0.1:1/123456789012/a-env"}
	getenv := func(k string) string { return env[k] }

	_, err := awsBindings(context.Background(), getenv, b, nil)
	want := "binding(s) without an AWS resource: KV namespace SESSIONS has no DynamoDB table: set FERRY_KV_SESSIONS=<table> (or [ferry.aws.kv] SESSIONS = \"<table>\"); " +
		"R2 bucket FILES has no S3 bucket: set FERRY_R2_FILES=<bucket> (or [ferry.aws.r2] FILES = \"<bucket>\")"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}

	a := &config.AWS{
		KV: map[string]string{"CACHE": "ignored", "SESSIONS": "sessions-table"}, R2: map[string]string{"FILES": "files-bucket"},
		Queues: map[string]string{"a": "ignored", "b": "http://127.0.0.1:1/123456789012/b-url", "c": "c-name"},
	}
	set, err := awsBindings(context.Background(), getenv, b, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.KV) != 2 || len(set.R2) != 1 || len(set.Queues) != 4 {
		t.Fatalf("set = %+v", set)
	}
	for binding, want := range map[string]string{"BY_ENV": "url a-env", "BY_URL": "url b-url", "BY_NAME": "name c-name", "DEFAULT": "name d"} {
		var got string
		switch p := set.Queues[binding].(type) {
		case *sqs.Producer:
			got = "url " + p.Queue()
		case *namedQueue:
			got = "name " + p.Name()
		}
		if got != want {
			t.Errorf("%s: %s, want %s", binding, got, want)
		}
	}

	// No bindings: nothing is built (no AWS configuration is even loaded).
	if set, err := awsBindings(context.Background(), getenv, manifest.Bindings{}, nil); err != nil || set.KV != nil || set.R2 != nil || set.Queues != nil {
		t.Errorf("no bindings: %+v %v", set, err)
	}
}
