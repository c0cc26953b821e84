package httpadapter

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/cron"
)

// Clock is the time source of the cron scheduler; tests pass a fake one.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scheduler fires the Worker's scheduled handler for each cron trigger, in
// UTC, like Cloudflare's cron triggers (which `wrangler dev` does not run; Ferry
// does).
type Scheduler struct {
	Crons  []*cron.Schedule
	Worker func() *core.Worker
	Clock  Clock
	Log    *slog.Logger
}

// Run fires events until ctx ends. Events run concurrently; each one that
// fails is logged with its cron.
func (s *Scheduler) Run(ctx context.Context) {
	if len(s.Crons) == 0 {
		return
	}
	clock := s.Clock
	if clock == nil {
		clock = realClock{}
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		now := clock.Now().UTC()
		var next time.Time
		for _, c := range s.Crons {
			if t := c.Next(now); !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		if next.IsZero() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-clock.After(next.Sub(now)):
		}
		w := s.Worker()
		if w == nil {
			continue
		}
		for _, c := range s.Crons {
			if !c.Matches(next) {
				continue
			}
			wg.Add(1)
			go func(expr string) {
				defer wg.Done()
				start := time.Now()
				// An event that started runs to its end even when the
				// scheduler stops.
				err := w.Scheduled(context.WithoutCancel(ctx), expr, next)
				if err != nil {
					log.Error("scheduled event failed: "+err.Error(), slog.String("cron", expr))
					return
				}
				log.Info("scheduled event ran", slog.String("cron", expr), slog.Time("scheduledTime", next), slog.Duration("took", time.Since(start).Round(time.Microsecond)))
			}(c.String())
		}
	}
}
