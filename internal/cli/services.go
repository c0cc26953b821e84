package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/core"
)

// Durable Objects and service bindings in ferry dev.
//
// Like `wrangler dev -c a/wrangler.toml -c b/wrangler.toml`, `ferry dev` runs
// several Workers in one process: the first config is the Worker served on
// --port, the others are reachable through service bindings (`services`,
// matched by their config's `name`) and durable_objects bindings with a
// script_name. Every Worker keeps its data in the first one's state
// directory and reloads on its own edits. A binding to a Worker that is not
// running fails at start, naming the flag that adds it.

// configList is the repeatable -c / --config flag.
type configList []string

func (c *configList) String() string     { return strings.Join(*c, ",") }
func (c *configList) Set(v string) error { *c = append(*c, v); return nil }

// devWorker is one Worker of `ferry dev` besides the served one.
type devWorker struct {
	p      *project
	h      *httpadapter.Handler
	inputs []string
}

// loadWorkers registers main (served through h) and the Workers of the other
// -c configs by name, then builds those. main is built by the caller.
func loadWorkers(st *State, wd string, o *devOptions, main *project, h *httpadapter.Handler, log *slog.Logger) ([]*devWorker, error) {
	main.workers = map[string]func() *core.Worker{}
	if main.cfg != nil {
		main.workers[main.cfg.Name] = h.Worker
	}
	var aux []*devWorker
	for i, c := range o.configs {
		if i == 0 {
			continue
		}
		path := absFrom(wd, c)
		ap, err := loadProject(st, configDir(path), "", o.envName, log)
		if err != nil {
			return nil, err
		}
		name := ap.cfg.Name
		if name == "" {
			return nil, fmt.Errorf("%s: a Worker run with -c needs a name: service bindings find it by name", ap.cfg.File)
		}
		if _, dup := main.workers[name]; dup {
			return nil, fmt.Errorf("%s: two Workers are called %q", ap.cfg.File, name)
		}
		ap.store = main.store
		ap.workers = main.workers
		ah := &httpadapter.Handler{Dev: true, Log: log.With("worker", name)}
		main.workers[name] = ah.Worker
		aux = append(aux, &devWorker{p: ap, h: ah})
	}
	for _, a := range aux {
		w, inputs, err := a.p.build(o.runtimes, log.With("worker", a.p.cfg.Name))
		if err != nil {
			closeWorkers(aux)
			return nil, err
		}
		a.h.Swap(w)
		a.inputs = inputs
	}
	return aux, nil
}

// configDir is the directory of a -c argument (a config file or its
// directory).
func configDir(path string) string {
	if strings.HasPrefix(filepath.Base(path), "wrangler.") {
		return filepath.Dir(path)
	}
	return path
}

// checkEntrypoints fails when a service binding names an entrypoint its
// Worker does not export.
func checkEntrypoints(main *project, aux []*devWorker) error {
	ps := []*project{main}
	for _, a := range aux {
		ps = append(ps, a.p)
	}
	for _, p := range ps {
		if p.cfg == nil {
			continue
		}
		for _, s := range p.cfg.Services {
			if s.Entrypoint == "" {
				continue
			}
			if w := p.workers[s.Service](); w != nil && !w.HasExport(s.Entrypoint) {
				return fmt.Errorf("%s: services binding %s: Worker %q does not export an entrypoint named %q (export class %s extends WorkerEntrypoint)", p.cfg.File, s.Binding, s.Service, s.Entrypoint, s.Entrypoint)
			}
		}
	}
	return nil
}

// watchWorkers reloads the other Workers on their edits.
func watchWorkers(ctx context.Context, aux []*devWorker, runtimes int, log *slog.Logger, bg *sync.WaitGroup) {
	for _, a := range aux {
		watching := make(chan struct{})
		bg.Add(1)
		go func() {
			defer bg.Done()
			l := log.With("worker", a.p.cfg.Name)
			if err := watch(ctx, a.p, a.inputs, runtimes, a.h, l, watching); err != nil {
				l.Warn("live reload is off: " + err.Error())
			}
		}()
		<-watching
	}
}

func closeWorkers(aux []*devWorker) {
	for _, a := range aux {
		a.h.Close()
	}
}
