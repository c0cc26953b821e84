// Package gcf runs a Worker on Google Cloud Functions (2nd gen, Cloud Run
// functions) through functions-framework-go: the framework serves on $PORT
// and picks the function named by $FUNCTION_TARGET; this package provides
// the two functions a Worker needs.
//
//   - The HTTP function (Handler.ServeHTTP, registered under the entry point
//     name): every request is a fetch event. The URL is the one the client
//     asked for (the original host, https behind Google's front end, the raw
//     query), headers arrive as sent (CF-Connecting-IP from
//     X-Forwarded-For), bodies are bytes, every Set-Cookie survives, streamed
//     responses are flushed as the Worker writes them. ctx.waitUntil work
//     ends before the handler returns: Cloud Functions may throttle the CPU
//     of an instance that has no request in flight.
//
//   - The event function (Handler.ServeEvent, registered under the entry
//     point name + EventsSuffix), for Eventarc and Pub/Sub triggers and Cloud
//     Scheduler jobs. It accepts CloudEvents in binary and structured content
//     modes, and Pub/Sub push requests ({"message": ..., "subscription": ...}).
//     A Pub/Sub message (google.cloud.pubsub.topic.v1.messagePublished)
//     becomes a one-message queue() batch on the queue named like its topic
//     (FERRY_QUEUES maps other names); acked → 204, retried or thrown → 500,
//     which makes Pub/Sub deliver it again; attempts is the push request's
//     deliveryAttempt (set when the subscription has a dead-letter policy),
//     else 1. A message whose data is {"ferry":{"cron":"EXPR"}}, or that
//     carries the attribute ferry-cron, runs scheduled() with that cron
//     instead — as does a plain POST of that JSON (a Cloud Scheduler HTTP
//     job). Any other CloudEvent goes to the module's exported
//     event(cloudEvent, env, ctx) method, the event in CloudEvents' JSON
//     form; without one the request fails (500) saying so.
//
// Keep the event function private (--no-allow-unauthenticated): anyone who
// can call it can run the Worker's queue and scheduled handlers.
package gcf

import (
	"log/slog"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/ferry-run/ferry/adapters/gcf/gcfbuild"
	"github.com/ferry-run/ferry/core"
)

// EventsSuffix is appended to the entry point name to name the event
// function ("worker" → "workerEvents").
const EventsSuffix = gcfbuild.EventsSuffix

// Scheduler conventions.
const (
	// CronAttribute is the Pub/Sub message attribute naming the cron of a
	// scheduled event (a Cloud Scheduler job with a Pub/Sub target).
	CronAttribute = "ferry-cron"
	// ContentTypeAttribute says how a queue message's data is encoded:
	// "json", "text", "bytes" or "v8" (as Ferry's queue producers write
	// them). Without it the data is text.
	ContentTypeAttribute = "ferry-content-type"
	// ScheduleTimeHeader is the header Cloud Scheduler sets on HTTP jobs
	// with the time the job was scheduled for; it becomes scheduledTime.
	ScheduleTimeHeader = "X-CloudScheduler-ScheduleTime"
)

// Handler serves one Worker as a Cloud Function.
type Handler struct {
	w          *core.Worker
	log        *slog.Logger
	queueNames map[string]string
	crons      []string
	maxBody    int64
}

// Option configures a Handler.
type Option func(*Handler)

// WithLogger sends the adapter's lines (one per request or event, and
// failures) to log.
func WithLogger(log *slog.Logger) Option { return func(h *Handler) { h.log = log } }

// WithQueueNames maps Pub/Sub topic names to Workers queue names (batch.queue)
// for topics not named like the queue.
func WithQueueNames(m map[string]string) Option { return func(h *Handler) { h.queueNames = m } }

// WithCrons lists the Worker's cron triggers; a scheduled event for another
// cron is run, with a warning.
func WithCrons(crons []string) Option { return func(h *Handler) { h.crons = crons } }

// New returns the Handler of w.
func New(w *core.Worker, opts ...Option) *Handler {
	h := &Handler{w: w, maxBody: 32 << 20}
	for _, o := range opts {
		o(h)
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Register registers the HTTP function as name and the event function as
// name+EventsSuffix with functions-framework-go; funcframework.Start then
// serves the one FUNCTION_TARGET names.
func Register(name string, h *Handler) {
	functions.HTTP(name, h.ServeHTTP)
	functions.HTTP(name+EventsSuffix, h.ServeEvent)
}

// Serve serves the registered function FUNCTION_TARGET names on host:port
// as Cloud Functions does (funcframework.Start), for running a function
// locally; host "" means every interface.
func Serve(host, port string) error {
	return funcframework.StartHostPort(host, port)
}
