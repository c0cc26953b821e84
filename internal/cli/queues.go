package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/core/config"
)

// Queues in `ferry dev`: producers and consumers share the durable queues in
// the state directory (queues.sqlite), so messages sent before a restart, or
// leased by a process that was killed, are delivered after it.

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

const queuesUsage = `Usage: ferry queues COMMAND [ARGS] [flags] [DIR]

Reads and writes the local queues ferry dev uses for the Worker in DIR
(default: the current directory); it works while ferry dev runs, whose
consumers then receive what you send.

Commands:
  ferry queues list [DIR]              print each queue's messages as JSON:
                                       ready, delayed (or waiting to be
                                       retried) and leased (being processed)
  ferry queues send QUEUE BODY [DIR]   send BODY to QUEUE as a producer would:
                                       JSON by default, --text for text

QUEUE is a queue name, or the binding of a queues.producers entry.

Flags:
`

type queuesOptions struct {
	state   stateOptions
	envName string
	text    bool
	delay   int
}

func queuesFlags(st *State) (*flag.FlagSet, *queuesOptions) {
	o := &queuesOptions{}
	fs := newFlagSet(st, "queues", queuesUsage)
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use")
	fs.BoolVar(&o.text, "text", false, "send: BODY is text (content type \"text\"), not JSON")
	fs.IntVar(&o.delay, "delay", 0, "send: seconds before the message is delivered")
	o.state.register(fs)
	return fs, o
}

func runQueues(st *State, args []string) error {
	fs, o := queuesFlags(st)
	if len(args) == 0 {
		return &usageError{msg: "ferry queues needs a command", usage: queuesUsage}
	}
	cmd := args[0]
	if cmd == "-h" || cmd == "--help" || cmd == "help" {
		fs.SetOutput(st.Stdout)
		fs.Usage()
		return nil
	}
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: queuesUsage}
	}
	n, known := map[string]int{"list": 0, "send": 2}[cmd]
	if !known {
		return &usageError{msg: fmt.Sprintf("unknown ferry queues command %q", cmd), usage: queuesUsage}
	}
	if len(pos) < n || len(pos) > n+1 {
		return &usageError{msg: fmt.Sprintf("ferry queues %s takes %d argument(s) and an optional DIR, got %q", cmd, n, pos), usage: queuesUsage}
	}
	if o.state.NoPersist {
		return errors.New("--no-persist makes no sense for ferry queues: the data would vanish at once")
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == n+1 {
		dir = absFrom(wd, pos[n])
	}
	root, cfg := dir, (*config.Worker)(nil)
	if path, err := config.Find(dir); err == nil {
		if cfg, _, err = config.Load(path, o.envName); err != nil {
			return err
		}
		root = cfg.Dir
	}
	store, err := local.Open(o.state.dir(wd, root))
	if err != nil {
		return err
	}
	defer store.Close()
	ctx := st.Ctx
	if cmd == "list" {
		stats, err := store.QueueStats(ctx)
		if err != nil {
			return err
		}
		if stats == nil {
			stats = []local.QueueStats{}
		}
		b, _ := json.MarshalIndent(stats, "", "  ")
		_, err = fmt.Fprintf(st.Stdout, "%s\n", b)
		return err
	}
	name, body := pos[0], pos[1]
	if cfg != nil {
		for _, p := range cfg.Queues.Producers {
			if p.Binding == name {
				name = queueName(p)
			}
		}
	}
	m := queue.Message{Body: []byte(body), ContentType: queue.JSON, DelaySeconds: &o.delay}
	if o.text {
		m.ContentType = queue.Text
	} else if !json.Valid(m.Body) {
		return fmt.Errorf("BODY is not JSON (pass --text to send text): %s", body)
	}
	q, err := store.Queue(name)
	if err != nil {
		return err
	}
	return q.Send(ctx, m)
}
