package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/cron"
	"github.com/ferry-run/ferry/internal/gcfloor"
	"github.com/ferry-run/ferry/internal/serve"
)

const devUsage = `Usage: ferry dev [DIR] [flags]

Serves the Worker in DIR (default: the current directory) on 127.0.0.1:8787,
rebuilding when a source file changes. DIR holds wrangler.json, wrangler.jsonc or
wrangler.toml, or pass --main. Secrets come from .dev.vars (or .env).
Cron triggers fire on schedule; GET /__scheduled?cron=EXPR runs one by hand.
KV and R2 data live in .ferry/state next to the config (--persist-to,
--no-persist); seed or inspect them with ferry kv and ferry r2.
-c CONFIG (repeatable, like wrangler dev -c a -c b) runs several Workers: DIR
or the first config is served, the others answer its service and Durable
Object bindings.

Flags:
`

type devOptions struct {
	port     int
	ip       string
	main     string
	envName  string
	runtimes int
	noWatch  bool
	state    stateOptions
	logLevel string
	configs  configList // -c: the served Worker's config, then others (services.go)
}

func devFlags(st *State) (*flag.FlagSet, *devOptions) {
	o := &devOptions{}
	fs := newFlagSet(st, "dev", devUsage)
	fs.IntVar(&o.port, "port", 8787, "port to listen on (0 picks a free one)")
	fs.StringVar(&o.ip, "ip", "127.0.0.1", "address to listen on")
	fs.StringVar(&o.main, "main", "", "entry file, instead of main from the wrangler config")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to use")
	fs.IntVar(&o.runtimes, "runtimes", 0, "JS runtimes in the pool (default: one per CPU)")
	fs.BoolVar(&o.noWatch, "no-watch", false, "do not rebuild when files change")
	o.state.register(fs)
	fs.Var(&o.configs, "c", "wrangler config of a Worker to run (repeat: the first is served, the others answer service bindings)")
	fs.Var(&o.configs, "config", "same as -c")
	fs.StringVar(&o.logLevel, "log-level", "debug", "least severe log line shown: debug, info, warn or error (request lines are info)")
	return fs, o
}

// project is what one build reads: config, entry, env.
type project struct {
	dir     string
	cfg     *config.Worker // nil with --main and no config file
	entry   string
	envName string
	crons   []*cron.Schedule
	store   *local.Store // bindings' data, shared by every build
	// workers are the Workers of this process by name, for service
	// bindings (services.go); nil outside ferry dev.
	workers map[string]func() *core.Worker
}

func runDev(st *State, args []string) error {
	fs, o := devFlags(st)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: devUsage}
	}
	if len(pos) > 1 {
		return &usageError{msg: "ferry dev takes one directory, got " + strings.Join(pos, " "), usage: devUsage}
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == 1 {
		dir = absFrom(wd, pos[0])
	}
	if len(o.configs) > 0 {
		if len(pos) == 1 {
			// ferry dev DIR -c other: DIR is served.
			o.configs = append(configList{pos[0]}, o.configs...)
		}
		dir = configDir(absFrom(wd, o.configs[0]))
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return &usageError{msg: fmt.Sprintf("--log-level %q: want debug, info, warn or error", o.logLevel), usage: devUsage}
	}
	log := slog.New(newLogHandler(st.Stderr, level))
	defer gcfloor.Start(st.Getenv, gcfloor.DefaultHeadroom)() // fewer collections under load

	p, err := loadProject(st, dir, absIf(wd, o.main), o.envName, log)
	if err != nil {
		return err
	}
	if p.store, err = local.Open(o.state.dir(wd, p.stateRoot())); err != nil {
		return err
	}
	defer p.store.Close()
	h := &httpadapter.Handler{Dev: true, Log: log}
	aux, err := loadWorkers(st, wd, o, p, h, log)
	if err != nil {
		return err
	}
	defer closeWorkers(aux)
	w, inputs, err := p.build(o.runtimes, log)
	if err != nil {
		return err
	}
	h.Swap(w)
	defer h.Close()
	if err := checkEntrypoints(p, aux); err != nil {
		return err
	}
	consumers, err := queueConsumers(p.cfg, p.store, h.Hold, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(o.ip, strconv.Itoa(o.port)))
	if err != nil {
		return fmt.Errorf("listening on %s:%d: %w (pick another with --port)", o.ip, o.port, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	ctx, cancel := context.WithCancel(st.Ctx)
	defer cancel()
	var bg sync.WaitGroup
	if !o.noWatch {
		// The watcher is in place before "ready": an edit made right after
		// the server answers must trigger a rebuild.
		watching := make(chan struct{})
		bg.Add(1)
		go func() {
			defer bg.Done()
			if err := watch(ctx, p, inputs, o.runtimes, h, log, watching); err != nil {
				log.Warn("live reload is off: " + err.Error())
			}
		}()
		<-watching
		watchWorkers(ctx, aux, o.runtimes, log, &bg)
	}
	fmt.Fprintf(st.Stderr, "ferry: ready on http://%s\n", addr)
	if st.Ready != nil {
		st.Ready(addr)
	}
	if len(p.crons) > 0 {
		sched := &httpadapter.Scheduler{Crons: p.crons, Worker: h.Worker, Log: log}
		bg.Add(1)
		go func() { defer bg.Done(); sched.Run(ctx) }()
		fmt.Fprintf(st.Stderr, "ferry: cron triggers: %s\n", serve.CronList(p.crons))
	}
	startConsumers(ctx, consumers, &bg, st.Stderr)

	select {
	case <-st.Ctx.Done():
	case err := <-errc:
		cancel()
		bg.Wait()
		return err
	}
	cancel()
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	_ = srv.Shutdown(shutdown)
	bg.Wait()
	return nil
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

// loadProject reads the wrangler config in dir (unless main is given and there
// is none) and prints its warnings.
func loadProject(st *State, dir, main, envName string, log *slog.Logger) (*project, error) {
	p := &project{dir: dir, entry: main, envName: envName}
	path, err := config.Find(dir)
	if err != nil {
		if main == "" {
			return nil, err
		}
		if envName != "" {
			return nil, fmt.Errorf("--env %s needs a wrangler config file: %w", envName, err)
		}
		return p, nil
	}
	cfg, warnings, err := config.Load(path, envName)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(st.Stderr, "ferry: warning: %s\n", w)
	}
	p.cfg = cfg
	if p.entry == "" {
		if cfg.Main == "" {
			return nil, fmt.Errorf("%s: no \"main\" entry point: set main = \"src/index.ts\" (or similar), or pass --main FILE", path)
		}
		p.entry = cfg.Main
	}
	for _, expr := range cfg.Triggers.Crons {
		c, err := cron.Parse(expr)
		if err != nil {
			return nil, fmt.Errorf("%s: triggers.crons: %w", path, err)
		}
		p.crons = append(p.crons, c)
	}
	return p, nil
}

// build bundles and starts a Worker; it returns the files to watch.
func (p *project) build(runtimes int, log *slog.Logger) (*core.Worker, []string, error) {
	start := time.Now()
	if _, err := os.Stat(p.entry); err != nil {
		return nil, nil, fmt.Errorf("entry point %s: %w", p.entry, err)
	}
	b, err := bundle.Build(bundle.Options{Entry: p.entry, Dir: p.rootDir(), Dev: true})
	if err != nil {
		return nil, nil, err
	}
	opts, err := p.workerOptions(b, runtimes, log, false)
	if err != nil {
		return nil, nil, err
	}
	secrets, err := config.LoadDevVars(p.dir, p.envName)
	if err != nil {
		return nil, nil, err
	}
	opts.Env.Secrets = secrets
	w, err := core.New(opts)
	if err != nil {
		return nil, nil, err
	}
	log.Debug(fmt.Sprintf("built %s in %v", filepath.Base(p.entry), time.Since(start).Round(time.Millisecond)))
	inputs := b.Inputs
	if p.cfg != nil {
		inputs = append(inputs, p.cfg.File)
	}
	return w, inputs, nil
}

// rootDir is where node_modules and tsconfig are looked up.
func (p *project) rootDir() string {
	if p.cfg != nil {
		return p.cfg.Dir
	}
	return filepath.Dir(p.entry)
}

// watch rebuilds when a watched file changes and swaps the Worker in; a
// failed build is logged and the running Worker stays. It closes watching
// once the initial directories are watched (or it failed).
func watch(ctx context.Context, p *project, inputs []string, runtimes int, h *httpadapter.Handler, log *slog.Logger, watching chan<- struct{}) error {
	started := false
	defer func() {
		if !started {
			close(watching)
		}
	}()
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fw.Close()
	watched := map[string]bool{}
	add := func(files []string) {
		for _, f := range files {
			d := filepath.Dir(f)
			if strings.Contains(d, string(filepath.Separator)+"node_modules") || watched[d] {
				continue
			}
			if err := fw.Add(d); err == nil {
				watched[d] = true
			}
		}
	}
	add(inputs)
	assetsIn, underAssets := assetDirs(p.cfg)
	add(assetsIn)
	add([]string{filepath.Join(p.dir, ".dev.vars")})
	started = true
	close(watching)
	relevant := func(name string) bool {
		if underAssets(name) {
			return true
		}
		base := filepath.Base(name)
		if strings.HasPrefix(base, ".dev.vars") || base == ".env" || strings.HasPrefix(base, "wrangler.") {
			return true
		}
		switch filepath.Ext(name) {
		case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx", ".json", ".txt", ".html", ".sql", ".bin":
			return true
		}
		return false
	}
	var timer *time.Timer
	fire := make(chan struct{}, 1)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return nil
			}
			if !relevant(ev.Name) || ev.Op == fsnotify.Chmod {
				continue
			}
			// Editors write in bursts: rebuild once things settle.
			if timer != nil {
				timer.Stop()
			}
			timer = time.AfterFunc(100*time.Millisecond, func() {
				select {
				case fire <- struct{}{}:
				default:
				}
			})
		case err := <-fw.Errors:
			log.Warn("file watcher: " + err.Error())
		case <-fire:
			np, err := reloadProject(p, log)
			if err != nil {
				log.Error("reload failed, still serving the previous version:\n" + err.Error())
				continue
			}
			w, ins, err := np.build(runtimes, log)
			if err != nil {
				log.Error("rebuild failed, still serving the previous version:\n" + err.Error())
				continue
			}
			p = np
			h.Swap(w)
			add(ins)
			assetsIn, underAssets = assetDirs(p.cfg)
			add(assetsIn)
			log.Info("reloaded")
		}
	}
}

// reloadProject re-reads the config (it may have changed) keeping the entry
// given on the command line.
func reloadProject(p *project, log *slog.Logger) (*project, error) {
	if p.cfg == nil {
		return p, nil
	}
	cfg, warnings, err := config.Load(p.cfg.File, p.envName)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		log.Warn(w.String())
	}
	np := *p
	np.cfg = cfg
	if cfg.Main != "" && p.entry == p.cfg.Main {
		np.entry = cfg.Main
	}
	return &np, nil
}
