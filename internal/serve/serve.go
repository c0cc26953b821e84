// Package serve is `ferry serve`'s production server: it loads a Worker
// (a build directory written by ferry build --target container, or a project
// that internal/cli bundles and hands over through Options.Load), opens its
// bindings on the embedded store (bindings/local) or on AWS, serves HTTP,
// runs cron triggers and queue consumers in process, and shuts down
// gracefully.
//
// The ferry command (internal/cli) runs it for `ferry serve`; cmd/serve is a
// binary that does only this, for build directories, without the CLI's
// other commands and esbuild: what ferry build --target container puts in an
// image. Built with the tag ferry_noaws (ferry build does, for a Worker with
// no KV, R2 or queue binding) it links no AWS SDK. What a container's cold
// start pays to load and initialize is the binary.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/cron"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/script"
	"github.com/ferry-run/ferry/internal/awsbind"
	"github.com/ferry-run/ferry/internal/gcfloor"
	"github.com/ferry-run/ferry/internal/logtext"
)

// Version is the server's version when it is cmd/serve, set at build time
// with -ldflags "-X github.com/ferry-run/ferry/internal/serve.Version=v1.2.3".
var Version = "dev"

// Options is the process the server runs in.
type Options struct {
	Getenv func(string) string
	// Environ lists the whole environment as KEY=value; nil means empty.
	Environ func() []string
	Getwd   func() (string, error)
	Stderr  io.Writer
	// Ctx ends when the process is asked to stop (SIGINT/SIGTERM).
	Ctx context.Context
	// Ready, when set, receives the address once the Worker serves (tests).
	Ready   func(addr string)
	Version string
	// Load reads and bundles the project in dir (main and envName are
	// --main and --env); nil serves build directories only (cmd/serve,
	// which has no bundler).
	Load func(dir, main, envName string) (*Project, *script.Result, error)
}

// Usage is ferry serve's help, before its flags.
const Usage = `Usage: ferry serve [DIR|BUILD] [flags]

Serves the Worker in production: DIR is a project (a wrangler config, as for
ferry dev; default: the current directory) or BUILD a directory written by
ferry build --target container (manifest.json and worker.js).

No live reload; one JSON log record per line (log/slog; --log-format text
for ferry dev's lines) for each request and event; cron
triggers fire in process. Bindings live on the embedded store
(--persist-to), or on AWS when the config has [ferry.aws] or the environment
sets FERRY_KV_<BINDING>, FERRY_R2_<BINDING> or FERRY_QUEUE_<BINDING>: KV on
DynamoDB, R2 on S3, queues on SQS (D1 stays embedded). Queue consumers poll
their queue, embedded or SQS. fetch() refuses private addresses unless the config sets
[ferry] allow_private_fetch = true. GET /__ferry/health answers 200 while the
Worker is loaded (--health-path). On SIGTERM or SIGINT the listener closes,
requests in flight, their waitUntil work, cron events and queue batches
finish within --grace, and ferry exits 0 (1 if the grace period ran out).

env: the config's vars; FERRY_VAR_NAME=value sets var NAME; secrets come from
FERRY_SECRET_NAME=value, or a secrets.required name set under its own name,
and, for a project directory, from .dev.vars or .env.

Flags:
`

// DefaultHealthPath is where ferry serve answers health checks.
const DefaultHealthPath = "/__ferry/health"

type options struct {
	port          int
	ip            string
	main          string
	envName       string
	runtimes      int
	state         StateOptions
	logLevel      string
	logFormat     string
	grace         time.Duration
	healthPath    string
	testScheduled bool
}

// Flags are ferry serve's flags.
func Flags(o Options) *flag.FlagSet {
	fs, _ := flags(o)
	return fs
}

func flags(st Options) (*flag.FlagSet, *options) {
	o := &options{}
	fs := NewFlagSet(st.Stderr, "serve", Usage)
	port := 8787
	if p, err := strconv.Atoi(st.Getenv("PORT")); err == nil && p > 0 {
		port = p // Cloud Run, Fly, Heroku and others pass the port this way
	}
	fs.IntVar(&o.port, "port", port, "port to listen on (default: $PORT, else 8787; 0 picks a free one)")
	fs.StringVar(&o.ip, "ip", "0.0.0.0", "address to listen on")
	fs.StringVar(&o.main, "main", "", "entry file, instead of main from the wrangler config (project directories only)")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use (project directories only)")
	fs.IntVar(&o.runtimes, "runtimes", 0, "JS runtimes in the pool (default: one per CPU)")
	o.state.Register(fs)
	fs.StringVar(&o.logLevel, "log-level", "info", "least severe log line written: debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "json", "json (one slog JSON record a line) or text (ferry dev's lines)")
	fs.DurationVar(&o.grace, "grace", 20*time.Second, "on SIGTERM, how long requests, waitUntil work and events in flight may take to finish")
	fs.StringVar(&o.healthPath, "health-path", DefaultHealthPath, "path answering health checks (\"\" for none)")
	fs.BoolVar(&o.testScheduled, "test-scheduled", false, "answer GET /__scheduled?cron=EXPR by running the scheduled handler (testing only)")
	return fs, o
}

// Run is ferry serve with args (after "serve"): it returns when the server
// stopped, nil after a graceful shutdown.
func Run(st Options, args []string) error {
	if st.Ctx == nil {
		st.Ctx = context.Background()
	}
	fs, o := flags(st)
	pos, err := ParseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: err.Error(), Usage: Usage}
	}
	if len(pos) > 1 {
		return &UsageError{Msg: "ferry serve takes one directory, got " + strings.Join(pos, " "), Usage: Usage}
	}
	if o.healthPath != "" && !strings.HasPrefix(o.healthPath, "/") {
		return &UsageError{Msg: fmt.Sprintf("--health-path %q: want a path starting with /", o.healthPath), Usage: Usage}
	}
	if o.grace <= 0 {
		return &UsageError{Msg: fmt.Sprintf("--grace %v: want a positive duration", o.grace), Usage: Usage}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return &UsageError{Msg: fmt.Sprintf("--log-level %q: want debug, info, warn or error", o.logLevel), Usage: Usage}
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == 1 {
		dir = absFrom(wd, pos[0])
	}
	var log *slog.Logger
	switch o.logFormat {
	case "json":
		log = slog.New(slog.NewJSONHandler(st.Stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: durationText}))
	case "text":
		log = slog.New(logtext.New(st.Stderr, level))
	default:
		return &UsageError{Msg: fmt.Sprintf("--log-format %q: want json or text", o.logFormat), Usage: Usage}
	}
	// announce writes a start-up line: a record in JSON, ferry dev's
	// "ferry: ..." line in text.
	announce := func(msg string, attrs ...slog.Attr) {
		if o.logFormat == "text" {
			fmt.Fprintf(st.Stderr, "ferry: %s\n", msg)
			return
		}
		log.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
	}
	start := time.Now()
	defer gcfloor.Start(st.Getenv, gcfloor.DefaultHeadroom)() // fewer collections under load

	// Listen first: a client that connects while the Worker starts waits in
	// the listen backlog and gets its answer the moment the Worker is ready
	// (Serve only starts then), instead of being refused and retrying later.
	// A port already taken fails before any start-up work. If start-up fails,
	// the listener closes and those connections are reset, unanswered.
	ln, err := net.Listen("tcp", net.JoinHostPort(o.ip, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("listening on %s:%d: %w (pick another with --port)", o.ip, o.port, err)
	}
	defer ln.Close() // closed already by Shutdown when serving ended

	built := isBuildDir(dir)
	p, b, err := load(st, dir, absIf(wd, o.main), o.envName, built)
	if err != nil {
		return err
	}
	loaded := time.Now()
	if p.Store, err = local.Open(o.state.Dir(wd, p.StateRoot())); err != nil {
		return err
	}
	defer p.Store.Close()
	opts, err := WorkerOptions(p, b, o.runtimes, log, true)
	if err != nil {
		return err
	}
	if err := hostEnv(p, opts.Env, environ(st), built); err != nil {
		return err
	}
	onAWS := p.Cfg != nil && awsMapped(p.Cfg, environ(st))
	if onAWS {
		// KV on DynamoDB, R2 on S3, queue producers on SQS; D1 stays on
		// the embedded store.
		set, err := awsbind.Bindings(st.Ctx, st.Getenv, bindingsOf(p.Cfg), p.Cfg.Ferry.AWS)
		if err != nil {
			return err
		}
		opts.Env.KV, opts.Env.R2, opts.Env.Queues = set.KV, set.R2, set.Queues
	}
	workerStart := time.Now()
	w, err := core.New(opts)
	if err != nil {
		return err
	}
	workerTook := time.Since(workerStart)
	h := &httpadapter.Handler{Log: log, TestScheduled: o.testScheduled}
	h.Swap(w)
	var consumers []*httpadapter.Consumer
	if onAWS {
		consumers, err = sqsConsumers(st.Ctx, p.Cfg, h.Hold, log)
	} else {
		consumers, err = QueueConsumers(p.Cfg, p.Store, h.Hold, log)
	}
	if err != nil {
		h.Close()
		return err
	}

	srv := &http.Server{
		Handler:           withHealth(o.healthPath, h),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var bg sync.WaitGroup
	announce("ready on http://"+addr, slog.String("url", "http://"+addr), slog.String("worker", p.Name()),
		slog.String("version", st.Version), slog.Duration("startup", time.Since(start).Round(time.Millisecond)),
		// Where start-up went: reading the config and bundle, then compiling
		// it and starting the first runtime (core.New).
		slog.Duration("startup_load", loaded.Sub(start).Round(100*time.Microsecond)),
		slog.Duration("startup_worker", workerTook.Round(100*time.Microsecond)))
	if len(p.Crons) > 0 {
		sched := &httpadapter.Scheduler{Crons: p.Crons, Worker: h.Worker, Log: log}
		bg.Add(1)
		go func() { defer bg.Done(); sched.Run(ctx) }()
		announce("cron triggers: "+CronList(p.Crons), slog.Any("crons", cronStrings(p.Crons)))
	}
	if len(consumers) > 0 {
		var names []string
		for _, c := range consumers {
			bg.Add(1)
			go func() { defer bg.Done(); c.Run(ctx) }()
			names = append(names, fmt.Sprintf("%s (batches of up to %d, %v)", c.Queue, c.MaxBatchSize, c.MaxBatchTimeout))
		}
		announce("queue consumers: "+strings.Join(names, ", "), slog.Any("queues", consumerNames(consumers)))
	}
	if st.Ready != nil {
		st.Ready(addr)
	}

	select {
	case <-st.Ctx.Done():
	case err := <-errc:
		cancel()
		bg.Wait()
		h.Close()
		return fmt.Errorf("serving HTTP: %w", err)
	}
	return shutdown(log, o.grace, srv, cancel, &bg, h)
}

// shutdown stops serving: the listener closes at once (new connections are
// refused, idle keep-alive connections close), then requests in flight, the
// waitUntil work they started, cron events and queue batches finish, all
// within grace. It reports an error when the grace period ran out first.
func shutdown(log *slog.Logger, grace time.Duration, srv *http.Server, stopEvents context.CancelFunc, bg *sync.WaitGroup, h *httpadapter.Handler) error {
	log.Info("shutting down", slog.Duration("grace", grace))
	start := time.Now()
	deadline, done := context.WithTimeout(context.Background(), grace)
	defer done()
	stopEvents() // no new cron events or queue batches; those running go on
	httpErr := srv.Shutdown(deadline)
	finished := make(chan struct{})
	go func() {
		bg.Wait() // cron events and queue batches (their acks recorded)
		h.Close() // waits for waitUntil work still running, then closes the Worker
		close(finished)
	}()
	select {
	case <-finished:
	case <-deadline.Done():
	}
	if httpErr != nil || deadline.Err() != nil {
		_ = srv.Close()
		err := fmt.Errorf("shutting down: the grace period of %v ran out with work in flight (raise --grace)", grace)
		log.Error(err.Error())
		return ExitCode(1)
	}
	log.Info("stopped", slog.Duration("took", time.Since(start).Round(time.Millisecond)))
	return nil
}

// durationText writes durations as Go duration strings ("1.5s") rather than
// integer nanoseconds.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}

// withHealth answers GET/HEAD on path with 200 while a Worker is loaded, and
// passes everything else to h. Health checks are not logged.
func withHealth(path string, h *httpadapter.Handler) http.Handler {
	if path == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if h.Worker() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"unavailable"}`+"\n")
			return
		}
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
}

// load reads what ferry serve runs from dir: a build directory
// (manifest.json and the bundle, as ferry build --target container writes),
// or a project through st.Load.
func load(st Options, dir, main, envName string, built bool) (*Project, *script.Result, error) {
	if built {
		if main != "" || envName != "" {
			return nil, nil, fmt.Errorf("%s is a build directory: --main and --env apply when building it", dir)
		}
		return loadBuild(dir)
	}
	if st.Load == nil {
		return nil, nil, fmt.Errorf("%s is not a build directory (no %s): this ferry serves what ferry build --target container wrote; serve a project with the ferry command", dir, manifest.FileName)
	}
	return st.Load(dir, main, envName)
}

// isBuildDir reports whether dir holds a built Worker rather than a project.
func isBuildDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, manifest.FileName))
	return err == nil
}

// loadBuild loads a build directory: the bundle, and the manifest turned back
// into the config it was resolved from. The state directory defaults to
// .ferry/state inside it.
func loadBuild(dir string) (*Project, *script.Result, error) {
	m, b, err := lambdaadapter.LoadArtifact(dir)
	if err != nil {
		return nil, nil, err
	}
	cfg := &config.Worker{
		File: filepath.Join(dir, manifest.FileName), Dir: dir,
		Name: m.Name, CompatibilityDate: m.CompatibilityDate, CompatibilityFlags: m.CompatibilityFlags,
		Vars:            m.Vars,
		Triggers:        config.Triggers{Crons: m.Crons},
		Limits:          config.Limits{CPUMs: m.Limits.CPUMs, Subrequests: m.Limits.Subrequests},
		Ferry:           config.Ferry{AllowPrivateFetch: m.Limits.AllowPrivateFetch},
		KVNamespaces:    m.Bindings.KVNamespaces,
		R2Buckets:       m.Bindings.R2Buckets,
		Queues:          config.Queues{Producers: m.Bindings.QueueProducers},
		Services:        m.Bindings.Services,
		SecretsRequired: m.Secrets,
	}
	cfg.Ferry.AWS = m.AWS
	cfg.DurableObjects.Bindings = m.Bindings.DurableObjects
	for _, d := range m.Bindings.D1Databases {
		cfg.D1Databases = append(cfg.D1Databases, config.D1Database{
			Binding: d.Binding, DatabaseName: d.DatabaseName, DatabaseID: d.DatabaseID,
			MigrationsDir: filepath.Join(dir, d.MigrationsDir), MigrationsTable: d.MigrationsTable,
		})
	}
	for _, c := range m.Consumers {
		timeout := c.MaxBatchTimeout
		cfg.Queues.Consumers = append(cfg.Queues.Consumers, config.QueueConsumer{
			Queue: c.Queue, MaxBatchSize: &c.MaxBatchSize, MaxBatchTimeout: &timeout, MaxRetries: &c.MaxRetries,
			DeadLetterQueue: c.DeadLetterQueue, RetryDelay: &c.RetryDelay, MaxConcurrency: nonZero(c.MaxConcurrency),
		})
	}
	p := &Project{Dir: dir, Cfg: cfg, Entry: filepath.Join(dir, m.Bundle)}
	for _, expr := range m.Crons {
		c, err := cron.Parse(expr)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: crons: %w", cfg.File, err)
		}
		p.Crons = append(p.Crons, c)
	}
	return p, b, nil
}

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// hostEnv adds what the process environment says to the Worker's env, for
// hosts where the environment is the deployment's configuration:
// FERRY_VAR_NAME sets the plain-text var NAME, FERRY_SECRET_NAME the secret
// NAME, and a secrets.required name may be set under its own name. Secrets
// from .dev.vars or .env (project directories only) come first; the
// environment overrides them. A required secret that is still missing fails
// the start, naming it.
func hostEnv(p *Project, spec *env.Spec, environ []string, built bool) error {
	secrets := map[string]string{}
	if !built {
		dv, err := config.LoadDevVars(p.Dir, p.EnvName)
		if err != nil {
			return err
		}
		for k, v := range dv {
			secrets[k] = v
		}
	}
	vars := map[string]any{}
	for k, v := range spec.Vars {
		vars[k] = v
	}
	var required []string
	if p.Cfg != nil {
		required = p.Cfg.SecretsRequired
	}
	own := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
		case strings.HasPrefix(k, manifest.EnvSecretPrefix) && len(k) > len(manifest.EnvSecretPrefix):
			secrets[k[len(manifest.EnvSecretPrefix):]] = v
		case strings.HasPrefix(k, manifest.EnvVarPrefix) && len(k) > len(manifest.EnvVarPrefix):
			vars[k[len(manifest.EnvVarPrefix):]] = v
		case slices.Contains(required, k):
			own[k] = v
		}
	}
	var missing []string
	for _, name := range required {
		if _, ok := secrets[name]; ok {
			continue
		}
		if v, ok := own[name]; ok {
			secrets[name] = v
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("the Worker requires the secret(s) %s (secrets.required), which are not set: set %s%s (or a variable of that name)", strings.Join(missing, ", "), manifest.EnvSecretPrefix, missing[0])
	}
	spec.Vars, spec.Secrets = vars, secrets
	return nil
}

func cronStrings(cs []*cron.Schedule) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func consumerNames(cs []*httpadapter.Consumer) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Queue
	}
	return out
}

// awsMapped reports whether cfg and the environment put the bindings on AWS.
func awsMapped(cfg *config.Worker, environ []string) bool {
	if cfg.Ferry.AWS != nil {
		return true
	}
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		for _, p := range []string{manifest.EnvKVPrefix, manifest.EnvR2Prefix, manifest.EnvQueuePrefix} {
			if strings.HasPrefix(k, p) && len(k) > len(p) {
				return true
			}
		}
	}
	return false
}

// bindingsOf is the part of cfg awsBindings reads.
func bindingsOf(cfg *config.Worker) manifest.Bindings {
	return manifest.Bindings{KVNamespaces: cfg.KVNamespaces, R2Buckets: cfg.R2Buckets, QueueProducers: cfg.Queues.Producers}
}

// CronList is the crons for a text line (ferry dev and ferry serve announce
// them the same way): quoted, comma-separated.
func CronList(cs []*cron.Schedule) string {
	var s []string
	for _, c := range cs {
		s = append(s, strconv.Quote(c.String()))
	}
	return strings.Join(s, ", ")
}

func absFrom(wd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}

func absIf(wd, p string) string {
	if p == "" {
		return ""
	}
	return absFrom(wd, p)
}

func environ(st Options) []string {
	if st.Environ == nil {
		return nil
	}
	return st.Environ()
}
