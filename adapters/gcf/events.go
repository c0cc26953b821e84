package gcf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/ferry-run/ferry/core"
)

// PubSubMessagePublished is the CloudEvent type of a Pub/Sub message.
const PubSubMessagePublished = "google.cloud.pubsub.topic.v1.messagePublished"

// pushRequest is a Pub/Sub push request body, which is also the data of a
// messagePublished CloudEvent (MessagePublishedData).
type pushRequest struct {
	Message         *pubsubMessage `json:"message"`
	Subscription    string         `json:"subscription"`
	DeliveryAttempt int            `json:"deliveryAttempt"`
}

type pubsubMessage struct {
	Data        []byte            `json:"data"` // base64 in JSON
	Attributes  map[string]string `json:"attributes"`
	MessageID   string            `json:"messageId"`
	MessageID2  string            `json:"message_id"`
	PublishTime time.Time         `json:"publishTime"`
}

// eventError is a failed event with the status the platform should see.
type eventError struct {
	status int
	err    error
}

func (e *eventError) Error() string { return e.err.Error() }

func badEvent(format string, args ...any) error {
	return &eventError{http.StatusBadRequest, fmt.Errorf(format, args...)}
}

// ServeEvent is the event function: CloudEvents (binary or structured), Pub/Sub
// push requests and Ferry scheduled events (see the package comment). It
// answers 204 when the event was handled (a queue message acked), 500 when
// it should be delivered again (thrown, or msg.retry()), 400 when the
// request is not an event Ferry knows.
func (h *Handler) ServeEvent(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	what, err := h.serveEvent(r)
	status := http.StatusNoContent
	if err != nil {
		status = http.StatusInternalServerError
		var ee *eventError
		if errors.As(err, &ee) {
			status = ee.status
		}
		h.log.Error(what+": "+err.Error(), slog.Int("status", status))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, err.Error())
	} else {
		w.WriteHeader(status)
	}
	h.log.Info(fmt.Sprintf("%s %d %s", what, status, time.Since(start).Round(time.Microsecond)))
}

func (h *Handler) serveEvent(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	if err != nil {
		return "event", badEvent("reading the request body: %w", err)
	}
	if int64(len(body)) > h.maxBody {
		return "event", badEvent("the event is larger than %d bytes", h.maxBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	ctx := r.Context()
	if r.Header.Get("Ce-Specversion") != "" || strings.HasPrefix(r.Header.Get("Content-Type"), "application/cloudevents") {
		ev, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			return "CloudEvent", badEvent("reading the CloudEvent: %w", err)
		}
		if err := ev.Validate(); err != nil {
			return "CloudEvent", badEvent("invalid CloudEvent: %w", err)
		}
		if ev.Type() == PubSubMessagePublished {
			var data pushRequest
			if err := json.Unmarshal(ev.Data(), &data); err != nil || data.Message == nil {
				return "Pub/Sub CloudEvent", badEvent("the %s event's data is not a Pub/Sub message: %v", PubSubMessagePublished, err)
			}
			return h.pubsub(ctx, topicFromSource(ev.Source()), data)
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			return "CloudEvent " + ev.Type(), badEvent("encoding the CloudEvent: %w", err)
		}
		what := "CloudEvent " + ev.Type()
		if err := h.w.Event(ctx, payload); err != nil {
			return what, fmt.Errorf("the Worker's event() handler failed on a %s event: %w", ev.Type(), err)
		}
		return what, nil
	}
	var push pushRequest
	if json.Unmarshal(body, &push) == nil && push.Message != nil && push.Subscription != "" {
		topic := topicFromPath(r.URL.Path)
		if topic == "" {
			topic = push.Subscription[strings.LastIndexByte(push.Subscription, '/')+1:]
		}
		return h.pubsub(ctx, topic, push)
	}
	if cron, ok := ferryCron(body); ok {
		at := time.Now()
		if t, err := time.Parse(time.RFC3339, r.Header.Get(ScheduleTimeHeader)); err == nil {
			at = t
		}
		return h.scheduled(ctx, cron, at)
	}
	return "event", badEvent("not a CloudEvent (no ce-specversion header or application/cloudevents+json body), a Pub/Sub push request or a Ferry scheduled event ({\"ferry\":{\"cron\":\"...\"}}): this is the event function; HTTP requests go to the HTTP function")
}

// pubsub runs one Pub/Sub message: a scheduled event when it carries a cron,
// else a one-message queue batch.
func (h *Handler) pubsub(ctx context.Context, topic string, p pushRequest) (string, error) {
	m := p.Message
	id := m.MessageID
	if id == "" {
		id = m.MessageID2
	}
	at := m.PublishTime
	if at.IsZero() {
		at = time.Now()
	}
	if cron, ok := m.Attributes[CronAttribute]; ok {
		return h.scheduled(ctx, cron, at)
	}
	if cron, ok := ferryCron(m.Data); ok {
		return h.scheduled(ctx, cron, at)
	}
	queue := topic
	if q, ok := h.queueNames[topic]; ok {
		queue = q
	}
	what := fmt.Sprintf("QUEUE %s message %s", queue, id)
	if queue == "" {
		return what, badEvent("cannot tell the Pub/Sub message's topic: push to a URL ending in /projects/PROJECT/topics/TOPIC")
	}
	ct := m.Attributes[ContentTypeAttribute]
	if ct == "" {
		ct = "text"
	}
	attempts := max(p.DeliveryAttempt, 1)
	out, err := h.w.Queue(ctx, queue, []core.QueueMessage{{ID: id, Timestamp: at, Body: m.Data, ContentType: ct, Attempts: attempts}})
	if err != nil {
		return what, fmt.Errorf("queue() threw; Pub/Sub will deliver the message again: %w", err)
	}
	if len(out) == 1 && out[0].Retry {
		if out[0].DelaySeconds > 0 {
			h.log.Warn(fmt.Sprintf("%s: retry({delaySeconds: %d}) cannot set the delay on Pub/Sub: the subscription's retry policy decides it", what, out[0].DelaySeconds))
		}
		return what, errors.New("the Worker asked to retry the message; Pub/Sub will deliver it again")
	}
	return what, nil
}

func (h *Handler) scheduled(ctx context.Context, cron string, at time.Time) (string, error) {
	what := fmt.Sprintf("scheduled %q", cron)
	if cron == "" {
		return what, badEvent("the scheduled event names no cron")
	}
	if len(h.crons) > 0 && !slices.Contains(h.crons, cron) {
		h.log.Warn(fmt.Sprintf("scheduled event for cron %q, which is not in triggers.crons %q", cron, h.crons))
	}
	if err := h.w.Scheduled(ctx, cron, at); err != nil {
		return what, fmt.Errorf("scheduled() failed: %w", err)
	}
	return what, nil
}

// ferryCron reads a Ferry scheduled event: {"ferry":{"cron":"EXPR"}}.
func ferryCron(b []byte) (string, bool) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return "", false
	}
	var v struct {
		Ferry *struct {
			Cron *string `json:"cron"`
		} `json:"ferry"`
	}
	if json.Unmarshal(b, &v) != nil || v.Ferry == nil || v.Ferry.Cron == nil {
		return "", false
	}
	return *v.Ferry.Cron, true
}

var topicPath = regexp.MustCompile(`projects/[^/?]+/topics/([^/?]+)`)

// topicFromSource is TOPIC of //pubsub.googleapis.com/projects/P/topics/TOPIC.
func topicFromSource(source string) string {
	if m := topicPath.FindStringSubmatch(source); m != nil {
		return m[1]
	}
	return ""
}

// topicFromPath is TOPIC of a push endpoint path ending in
// projects/P/topics/TOPIC (functions-framework's convention).
func topicFromPath(path string) string { return topicFromSource(path) }
