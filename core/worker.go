// Package core is the Ferry engine: it compiles a bundled Worker once, keeps a
// fixed pool of goja runtimes (each owned by its event loop goroutine) and
// dispatches fetch, scheduled and queue events to them.
//
// A Worker is one deployment (one bundle, one env). Hosts (adapters/http,
// adapters/lambda, adapters/gcf) translate their events into Fetch, Scheduled
// and Queue calls; the dev server swaps Workers when sources change and Closes
// the old one, which lets requests in flight finish.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/bindings/do"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/script"
)

// Defaults for Options.
const (
	DefaultCPULimit       = 50 * time.Millisecond
	DefaultWallLimit      = 30 * time.Second
	DefaultWaitUntilLimit = 30 * time.Second
	// StartupCPULimit bounds the JS time of evaluating the script's top level.
	StartupCPULimit = time.Second
	// DefaultSubrequests is Cloudflare's per-invocation subrequest limit on
	// the Free plan.
	DefaultSubrequests = 50
)

// Options configure a Worker.
type Options struct {
	// Bundle is the built script (core/bundle.Build).
	Bundle *script.Result
	// Runtimes is the pool size; 0 means one per CPU.
	Runtimes int
	// CPULimit is the JS CPU time one event may use; 0 means DefaultCPULimit,
	// negative means no limit.
	CPULimit time.Duration
	// WallLimit bounds how long an event may take to produce its result; 0
	// means DefaultWallLimit, negative means none.
	WallLimit time.Duration
	// WaitUntilLimit bounds ctx.waitUntil work after the result; 0 means
	// DefaultWaitUntilLimit.
	WaitUntilLimit time.Duration
	// Env is what the env object holds.
	Env *env.Spec
	// Log receives console output and errors; nil discards.
	Log *slog.Logger
	// Dev makes error responses carry the source-mapped stack.
	Dev bool
	// Subrequests bounds fetch() calls per event; 0 means
	// DefaultSubrequests, negative means no limit.
	Subrequests int
	// AllowPrivateFetch lets fetch() reach loopback, private and link-local
	// addresses (ferry dev sets it; production hosts refuse them by default).
	AllowPrivateFetch bool
	// Cache stores the Cache API's responses; nil stores nothing (as on
	// workers.dev).
	Cache cache.Store
	// DurableObjects are Durable Object classes the Worker hosts for other
	// Workers' bindings (class → namespace); classes of its own
	// Env.DurableObjects bindings are hosted anyway (objects.go).
	DurableObjects map[string]string
	// ObjectStore keeps the objects' storage; required when the Worker
	// hosts a class.
	ObjectStore do.Store
}

// Worker is a compiled Worker with its pool of runtimes.
type Worker struct {
	opts    Options
	program *goja.Program
	format  script.Format
	// runtimes are the pool's slots; a slot's runtime is replaced when it is
	// condemned (see rt.condemn).
	runtimes []atomic.Pointer[rt]
	// compiled is closed once program is set (nil if the bundle failed to
	// compile). The slots after the first start on demand (startRest):
	// restOnce starts them, rest is closed once each start ended.
	compiled chan struct{}
	restOnce sync.Once
	rest     chan struct{}
	log      *slog.Logger
	nextID   atomic.Uint64
	rr       atomic.Uint32
	// timers are wall-clock limit timers, stopped, for reuse (dispatch.go).
	timers sync.Pool

	closeOnce sync.Once
	inflight  sync.WaitGroup

	// Durable Objects (objects.go).
	classes map[string]*objectClass
	gates   sync.Map // objectKey → *objectGate
	alarms  *alarmTimers
}

// New compiles the bundle and starts the first runtime of the pool; the others
// start when the first events need them (startRest). It fails if the script's
// top level throws or the module has no handler at all.
func New(opts Options) (*Worker, error) {
	if opts.Bundle == nil {
		return nil, errors.New("core.New: no bundle")
	}
	if opts.Runtimes <= 0 {
		opts.Runtimes = runtime.NumCPU()
	}
	if opts.CPULimit == 0 {
		opts.CPULimit = DefaultCPULimit
	}
	if opts.WallLimit == 0 {
		opts.WallLimit = DefaultWallLimit
	}
	if opts.Subrequests == 0 {
		opts.Subrequests = DefaultSubrequests
	}
	if opts.WaitUntilLimit == 0 {
		opts.WaitUntilLimit = DefaultWaitUntilLimit
	}
	if opts.Env == nil {
		opts.Env = &env.Spec{}
	}
	if err := opts.Env.Prepare(); err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{opts: opts, format: opts.Bundle.Format, log: log, compiled: make(chan struct{}), rest: make(chan struct{})}
	if err := w.setupObjects(); err != nil {
		return nil, err
	}

	// The first runtime installs the Web APIs and the env while the bundle
	// compiles (they do not need the Program), then runs the top level:
	// a cold start waits for the longer of the two, not their sum.
	w.runtimes = make([]atomic.Pointer[rt], opts.Runtimes)
	first := make(chan error, 1)
	go func() {
		r, err := w.startRuntime(0)
		w.runtimes[0].Store(r)
		first <- err
	}()
	prg, cerr := Compile(opts.Bundle)
	w.program = prg
	// The Program is all the runtimes need: holding the bundle would keep
	// its syntax tree (hundreds of KB of pointers for a Hono bundle) live,
	// for every garbage collection to mark again.
	w.opts.Bundle = nil
	close(w.compiled)
	err := <-first
	if cerr != nil || err != nil {
		w.Close()
		if cerr != nil {
			return nil, cerr
		}
		return nil, err
	}

	// The rest of the pool starts on demand (startRest): a cold start waits
	// for one runtime, not all, and the first events run without other
	// runtimes' start-up competing for the CPU and the collector.
	if err := w.scheduleStoredAlarms(); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// startRest starts the runtimes of slots 1.. in parallel, once: when an event
// finds every runtime there busy (pick) or is bound to a slot not started yet
// (slotRuntime). Until a slot's runtime is there, pick leaves it out. A slot
// whose start fails (the top level already ran without error on the first
// runtime, so only a script whose top level fails some of the time) stays
// empty, logged: pick leaves it out and slotRuntime sends its events to
// slot 0.
func (w *Worker) startRest() {
	w.restOnce.Do(func() {
		if len(w.runtimes) > 1 {
			go w.startSlots()
		} else {
			close(w.rest)
		}
	})
}

func (w *Worker) startSlots() {
	defer close(w.rest)
	var wg sync.WaitGroup
	for i := 1; i < len(w.runtimes); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.startRuntime(i)
			if err != nil {
				w.log.Error("starting runtime " + strconv.Itoa(i) + " of the pool: " + err.Error())
				return
			}
			w.runtimes[i].Store(r)
		}()
	}
	wg.Wait()
}

// slotRuntime returns the runtime of a slot picked by other means than pick
// (a Durable Object's, by its id's hash): it waits for the slot's first start
// and, if that failed, answers with slot 0's runtime, so an object's events
// still all go to one runtime.
func (w *Worker) slotRuntime(r *rt, slot func() *rt) *rt {
	if r != nil {
		return r
	}
	w.startRest()
	<-w.rest
	if r = slot(); r != nil {
		return r
	}
	return w.runtimes[0].Load()
}

// Compile turns a bundle into a Program shared by every runtime. A panic in
// goja's compiler (it has a few, e.g. on "\u{10FFFF}" literals) becomes an
// error naming it.
func Compile(b *script.Result) (prg *goja.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prg, err = nil, fmt.Errorf("compiling the bundle: the JS engine failed: %v", r)
		}
	}()
	if b.Program != nil {
		prg, err = goja.CompileAST(b.Program, false)
		if err != nil {
			return nil, fmt.Errorf("compiling the bundle: %w", err)
		}
		return prg, nil
	}
	prg, err = goja.Compile("worker.js", string(b.Code), false)
	if err != nil {
		return nil, fmt.Errorf("compiling the bundle: %w", err)
	}
	return prg, nil
}

// Close waits for events in flight (and their waitUntil work) and stops the
// runtimes. New events must not be dispatched after Close starts.
func (w *Worker) Close() {
	w.closeOnce.Do(func() {
		w.stopAlarms()
		w.inflight.Wait()
		w.restOnce.Do(func() { close(w.rest) }) // start no more
		<-w.rest                                // wait for those starting
		w.closeObjects()
		for i := range w.runtimes {
			if r := w.runtimes[i].Load(); r != nil {
				r.loop.Stop()
			}
		}
	})
}

// pick returns the runtime with the fewest events in flight, rotating among
// equals so load spreads when the pool is idle. When all the runtimes there
// are busy it starts the rest of the pool (startRest).
func (w *Worker) pick() *rt {
	n := uint32(len(w.runtimes))
	start := w.rr.Add(1)
	var best *rt
	var bestLoad int32
	for i := uint32(0); i < n; i++ {
		r := w.runtimes[(start+i)%n].Load()
		if r == nil {
			continue // still starting (New)
		}
		if l := r.inflight.Load(); best == nil || l < bestLoad {
			best, bestLoad = r, l
			if l == 0 {
				break
			}
		}
	}
	if bestLoad > 0 {
		w.startRest()
	}
	return best
}

// newID returns 16 hex digits, unique within the Worker.
func (w *Worker) newID() string {
	v := w.nextID.Add(1) ^ uint64(time.Now().UnixNano())<<20
	var b [16]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = "0123456789abcdef"[v&0xf]
		v >>= 4
	}
	return string(b[:])
}

type ctxKey int

const requestIDKey ctxKey = 0

// WithRequestID attaches the id console lines and errors of an event carry;
// without it the Worker makes one up.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

func (w *Worker) requestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey).(string); ok && id != "" {
		return id
	}
	return w.newID()
}

// HasHandler reports whether the Worker handles the event kind ("fetch",
// "scheduled", "queue").
func (w *Worker) HasHandler(kind string) bool {
	return w.runtimes[0].Load().handler(kind) != nil
}
