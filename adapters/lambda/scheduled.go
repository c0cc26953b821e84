package lambdaadapter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// ScheduledInput is what an EventBridge rule for a Workers cron trigger
// passes to the function, as the target's constant input or from an input
// transformer:
//
//	{"ferry": {"cron": "*/5 * * * *"}}
//	{"ferry": {"cron": "*/5 * * * *", "scheduledTime": "<time>"}}  // InputTemplate, with InputPathsMap {"time": "$.time"}
//
// cron becomes event.cron exactly as written in triggers.crons (EventBridge's
// own cron syntax differs). scheduledTime (RFC 3339) becomes
// event.scheduledTime; without it the invocation's start, to the minute, is
// used. A plain EventBridge "Scheduled Event" is accepted too: its "time" is
// the scheduled time, and its cron comes from a "ferry" key or, when the
// Worker has exactly one cron trigger, is that one.
type ScheduledInput struct {
	Ferry struct {
		Cron          string `json:"cron"`
		ScheduledTime string `json:"scheduledTime,omitempty"`
	} `json:"ferry"`
}

func isScheduled(top topLevel) bool {
	return top.str("detail-type") == "Scheduled Event" || top.has("ferry")
}

func (h *Handler) serveScheduled(ctx context.Context, top topLevel) (io.Reader, error) {
	start := time.Now()
	id := requestID(ctx)
	var in ScheduledInput
	if err := top.get("ferry", &in.Ferry); err != nil {
		return nil, err
	}
	cron := in.Ferry.Cron
	if cron == "" {
		if len(h.crons) != 1 {
			return nil, fmt.Errorf(`ferry: the scheduled event names no cron and the Worker has %d cron triggers: set the EventBridge target's input to {"ferry":{"cron":"<the Workers cron expression>"}}`, len(h.crons))
		}
		cron = h.crons[0]
	}
	ts := in.Ferry.ScheduledTime
	if ts == "" {
		ts = top.str("time")
	}
	at := start.Truncate(time.Minute)
	if ts != "" {
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			return nil, fmt.Errorf("ferry: the scheduled event's time %q is not RFC 3339: %w", ts, err)
		}
		at = t
	}
	ectx, cancel := h.eventContext(ctx)
	defer cancel()
	err := h.w.Scheduled(ectx, cron, at)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, fmt.Sprintf("scheduled %q: %v", cron, err), slog.String("request", id))
		return nil, fmt.Errorf("scheduled event %q failed: %w", cron, err)
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, fmt.Sprintf("scheduled %q ok %s", cron, time.Since(start).Round(time.Microsecond)), slog.String("request", id))
	return jsonPayload([]byte(`{"outcome":"ok"}`), nil), nil
}
