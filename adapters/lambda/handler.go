// Package lambdaadapter runs a core.Worker on AWS Lambda. A Handler receives
// each invocation's raw event JSON, tells the event source by its shape and
// dispatches it:
//
//   - function URL and API Gateway HTTP API (payload 2.0: rawPath and
//     requestContext.http), API Gateway REST (payload 1.0: httpMethod, with
//     multiValueHeaders / multiValueQueryStringParameters) and ALB
//     (requestContext.elb, single- or multi-value headers) → fetch;
//   - SQS (Records[].eventSource == "aws:sqs") → queue, answered with a
//     partial batch response (ReportBatchItemFailures);
//   - EventBridge (detail-type "Scheduled Event", or a target input
//     {"ferry":{"cron":"*/5 * * * *"}}) → scheduled, with the Workers cron.
//
// An event of any other shape fails its invocation with an error naming the
// keys it had.
//
// Bodies stay bytes: request bodies are base64-decoded when the event says
// so, and a response body is base64-encoded unless its Content-Type is
// textual and it is valid UTF-8. Every Set-Cookie survives: the payload 2.0
// "cookies" list, multiValueHeaders for REST and multi-value ALB, and, for a
// single-value ALB target, one header per cookie under case variants of the
// name (set-cookie, Set-cookie, ...), which HTTP treats as the same header.
//
// Buffered responses are limited by Lambda to 6 MB (6,291,556 bytes of
// response JSON); a larger one is answered with a 502 saying so instead of
// failing the runtime. A function URL in RESPONSE_STREAM mode streams the body
// as the Worker produces it (WithStreaming).
//
// The invocation's deadline (a margin before Lambda's own) is the event's
// wall-clock limit; ctx.waitUntil work ends before the invocation does (after
// the response is sent when running under Start, since Lambda freezes the
// process only once the runtime asks for the next event).
package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
)

// MaxBufferedResponse is the largest response payload (the JSON document)
// Lambda accepts from a buffered invocation.
const MaxBufferedResponse = 6291556

// DefaultDeadlineMargin is how long before Lambda's deadline an event is cut,
// so the Worker's timeout is still answered.
const DefaultDeadlineMargin = 500 * time.Millisecond

// Handler serves Lambda invocations with a Worker. It is safe for concurrent
// use.
type Handler struct {
	w         *core.Worker
	log       *slog.Logger
	stream    bool
	vis       VisibilityChanger
	queues    map[string]string
	consumers map[string]manifest.Consumer
	crons     []string
	margin    time.Duration
	limit     int
}

var _ lambda.Handler = (*Handler)(nil)

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sets where request lines and errors go (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithStreaming makes function URL responses stream (the function URL's
// invoke mode is RESPONSE_STREAM). Other events are unaffected.
func WithStreaming(on bool) Option { return func(h *Handler) { h.stream = on } }

// WithVisibility sets how retried SQS messages are made visible again after
// their delay. Without it a retried message comes back after the queue's
// visibility timeout.
func WithVisibility(v VisibilityChanger) Option { return func(h *Handler) { h.vis = v } }

// WithQueueNames maps SQS queue names to the Workers queue names batches
// report (batch.queue); unmapped queues keep their SQS name.
func WithQueueNames(m map[string]string) Option { return func(h *Handler) { h.queues = m } }

// WithConsumers gives the queue consumers' settings (retry_delay).
func WithConsumers(cs []manifest.Consumer) Option {
	return func(h *Handler) {
		h.consumers = map[string]manifest.Consumer{}
		for _, c := range cs {
			h.consumers[c.Queue] = c
		}
	}
}

// WithCrons gives the Worker's cron triggers: a scheduled event that names
// no cron runs as the only one, when there is exactly one.
func WithCrons(crons []string) Option { return func(h *Handler) { h.crons = crons } }

// WithDeadlineMargin sets how long before Lambda's deadline events are cut
// (default DefaultDeadlineMargin, at most a tenth of the time left).
func WithDeadlineMargin(d time.Duration) Option { return func(h *Handler) { h.margin = d } }

// New returns a Handler dispatching to w.
func New(w *core.Worker, opts ...Option) *Handler {
	h := &Handler{w: w, margin: DefaultDeadlineMargin, limit: MaxBufferedResponse}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Invoke implements lambda.Handler: it handles one event and returns the
// response payload once the event, and its ctx.waitUntil work, are over.
// With streaming on, a function URL response is returned in the streaming
// wire format (a JSON prelude, eight NUL bytes, the body).
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r, err := h.Serve(ctx, payload)
	if err != nil {
		return nil, err
	}
	defer r.(io.Closer).Close()
	return io.ReadAll(r)
}

// Serve handles one event and returns its response as a reader that also
// implements io.Closer: the runtime sends the response, then closes it, and
// Close waits for the event's ctx.waitUntil work. That is the shape
// aws-lambda-go's runtime loop streams from and closes before asking for the
// next event (see Start).
func (h *Handler) Serve(ctx context.Context, payload json.RawMessage) (_ io.Reader, err error) {
	// aws-lambda-go ends the process on a panic; a bug here must fail only
	// this invocation.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ferry: internal error while handling the event: %v", r)
		}
	}()
	top, err := decodeTop(payload)
	if err != nil {
		return nil, err
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		ctx = core.WithRequestID(ctx, lc.AwsRequestID)
	}
	switch {
	case top.has("Records"):
		return h.serveSQS(ctx, top)
	case top.has("requestContext") || top.has("httpMethod"):
		ev, err := parseHTTP(top)
		if err != nil {
			return nil, err
		}
		return h.serveHTTP(ctx, ev)
	case isScheduled(top):
		return h.serveScheduled(ctx, top)
	}
	return nil, fmt.Errorf("ferry: unrecognised Lambda event (top-level keys: %s); Ferry handles function URL, API Gateway REST and HTTP, ALB, SQS and EventBridge scheduled events", top.keyList())
}

// topLevel is the event's top-level object, values undecoded.
type topLevel map[string]json.RawMessage

func decodeTop(payload []byte) (topLevel, error) {
	var top topLevel
	if err := json.Unmarshal(payload, &top); err != nil {
		return nil, fmt.Errorf("ferry: the Lambda event is not a JSON object (%s): %w", describeJSON(payload), err)
	}
	if top == nil {
		return nil, errors.New("ferry: the Lambda event is null, not a JSON object")
	}
	return top, nil
}

func describeJSON(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "empty payload"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case '{':
		return "malformed object"
	}
	return "a number"
}

func (t topLevel) has(key string) bool {
	v, ok := t[key]
	return ok && string(v) != "null"
}

// get decodes the value under key into dst; a missing or null key leaves dst
// as it is.
func (t topLevel) get(key string, dst any) error {
	v, ok := t[key]
	if !ok || string(v) == "null" {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return fmt.Errorf("ferry: reading %q of the Lambda event: %w", key, err)
	}
	return nil
}

func (t topLevel) str(key string) string {
	var s string
	_ = t.get(key, &s)
	return s
}

func (t topLevel) keyList() string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "none"
	}
	if len(keys) > 20 {
		keys = append(keys[:20], "…")
	}
	return strings.Join(keys, ", ")
}

// eventContext bounds an event by the invocation's deadline less the margin.
func (h *Handler) eventContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := h.margin
	if left := time.Until(d); margin > left/10 {
		margin = left / 10
	}
	return context.WithDeadline(ctx, d.Add(-margin))
}

// bufferedResponse is a response payload held in memory. Its Close waits
// for the event's waitUntil work. MarshalJSON fails on purpose: aws-lambda-go
// then sends the reader's bytes as they are.
type bufferedResponse struct {
	*bytes.Reader
	contentType string
	wait        func()
}

func (r *bufferedResponse) Close() error {
	if r.wait != nil {
		r.wait()
		r.wait = nil
	}
	return nil
}

func (r *bufferedResponse) ContentType() string { return r.contentType }

func (r *bufferedResponse) MarshalJSON() ([]byte, error) {
	return nil, errors.New("a Lambda response payload is sent as is")
}

func jsonPayload(b []byte, wait func()) *bufferedResponse {
	return &bufferedResponse{Reader: bytes.NewReader(b), contentType: "application/json", wait: wait}
}

// waitFor returns a func that blocks until done closes or ctx ends, logging
// what was cut.
func (h *Handler) waitFor(ctx context.Context, done <-chan struct{}, cancel context.CancelFunc, id string) func() {
	return func() {
		defer cancel()
		if done == nil {
			return
		}
		select {
		case <-done:
		case <-ctx.Done():
			h.log.LogAttrs(ctx, slog.LevelWarn, "ctx.waitUntil work was still running at the Lambda deadline; the process may be frozen before it ends", slog.String("request", id))
		}
	}
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
