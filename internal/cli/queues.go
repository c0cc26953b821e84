package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
)

// Queues in `ferry dev`: producers and consumers share the durable queues in
// the state directory (queues.sqlite), so messages sent before a restart, or
// leased by a process that was killed, are delivered after it.

// queueName is the local queue a producer entry sends to: its queue, else its
// binding name (a local-only project may leave the queue out).
func queueName(p config.QueueProducer) string {
	if p.Queue != "" {
		return p.Queue
	}
	return p.Binding
}

// queueProducers opens the config's queue producers in st.
func queueProducers(cfg *config.Worker, st *local.Store) (map[string]queue.Producer, error) {
	if cfg == nil || len(cfg.Queues.Producers) == 0 {
		return nil, nil
	}
	out := map[string]queue.Producer{}
	for _, p := range cfg.Queues.Producers {
		q, err := st.Queue(queueName(p))
		if err != nil {
			return nil, fmt.Errorf("opening queue %q for binding %s: %w", queueName(p), p.Binding, err)
		}
		var prod queue.Producer = q
		if p.DeliveryDelay != nil {
			prod = queue.WithDeliveryDelay(q, *p.DeliveryDelay)
		}
		out[p.Binding] = prod
	}
	return out, nil
}

// queueConsumers builds a consumer loop for each queues.consumers entry,
// delivering to the Worker hold returns. The entries are read once: a change
// to queues.consumers takes a restart.
func queueConsumers(cfg *config.Worker, st *local.Store, hold func() (*core.Worker, func()), log *slog.Logger) ([]*httpadapter.Consumer, error) {
	if cfg == nil {
		return nil, nil
	}
	var out []*httpadapter.Consumer
	for _, c := range cfg.Queues.Consumers {
		q, err := st.Queue(c.Queue)
		if err != nil {
			return nil, fmt.Errorf("opening queue %q for its consumer: %w", c.Queue, err)
		}
		n := httpadapter.NewConsumer(c, q, hold)
		n.Log = log
		out = append(out, n)
	}
	return out, nil
}

// startConsumers runs each consumer until ctx ends and says which run.
func startConsumers(ctx context.Context, cs []*httpadapter.Consumer, bg *sync.WaitGroup, stderr io.Writer) {
	if len(cs) == 0 {
		return
	}
	var names []string
	for _, c := range cs {
		bg.Add(1)
		go func() { defer bg.Done(); c.Run(ctx) }()
		names = append(names, fmt.Sprintf("%s (batches of up to %d, %v)", c.Queue, c.MaxBatchSize, c.MaxBatchTimeout))
	}
	fmt.Fprintf(stderr, "ferry: queue consumers: %s\n", strings.Join(names, ", "))
}
