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
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/env"
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

// objectNamespace is the namespace (ids and storage) of class in the Worker
// called worker, following renamed_classes back to the class's first name so
// a rename keeps its objects.
func objectNamespace(cfg *config.Worker, worker, class string) string {
	if cfg != nil && cfg.Name == worker {
		for i := len(cfg.Migrations) - 1; i >= 0; i-- {
			for _, r := range cfg.Migrations[i].RenamedClasses {
				if r.To == class {
					class = r.From
				}
			}
		}
	}
	if worker == "" {
		worker = "worker"
	}
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
				return r
			}
			return '_'
		}, s)
	}
	return clean(worker) + "-" + clean(class)
}

// rpcBindings fills in the Durable Object and service bindings of opts.
func (p *project) rpcBindings(opts *core.Options) error {
	cfg := p.cfg
	spec := opts.Env
	deleted := map[string]bool{}
	for _, m := range cfg.Migrations {
		for _, c := range m.DeletedClasses {
			deleted[c] = true
		}
	}
	for _, b := range cfg.DurableObjects.Bindings {
		if b.Name == "" || b.ClassName == "" {
			return fmt.Errorf("%s: durable_objects.bindings: every binding needs a name and a class_name", cfg.File)
		}
		ns := &env.DurableObjectNamespace{Class: b.ClassName}
		if b.ScriptName == "" || b.ScriptName == cfg.Name {
			if deleted[b.ClassName] {
				return fmt.Errorf("%s: durable_objects binding %s: class %s is in a migration's deleted_classes", cfg.File, b.Name, b.ClassName)
			}
			ns.Namespace = objectNamespace(cfg, cfg.Name, b.ClassName)
		} else {
			get, ok := p.workers[b.ScriptName]
			if !ok {
				return fmt.Errorf("%s: durable_objects binding %s: script_name %q is not running here; run it alongside with -c (ferry dev -c %s -c path/to/%s/wrangler.toml)", cfg.File, b.Name, b.ScriptName, filepath.Base(cfg.File), b.ScriptName)
			}
			ns.Namespace = objectNamespace(nil, b.ScriptName, b.ClassName)
			ns.Objects = workerRouter(get)
		}
		if spec.DurableObjects == nil {
			spec.DurableObjects = map[string]*env.DurableObjectNamespace{}
		}
		spec.DurableObjects[b.Name] = ns
	}
	// Classes the Worker exports for other Workers' bindings: its
	// migrations name them.
	for _, m := range cfg.Migrations {
		for _, list := range [][]string{m.NewClasses, m.NewSqliteClasses} {
			for _, c := range list {
				if !deleted[c] {
					if opts.DurableObjects == nil {
						opts.DurableObjects = map[string]string{}
					}
					opts.DurableObjects[c] = objectNamespace(cfg, cfg.Name, c)
				}
			}
		}
		for _, r := range m.RenamedClasses {
			delete(opts.DurableObjects, r.From)
			if !deleted[r.To] && opts.DurableObjects != nil {
				opts.DurableObjects[r.To] = objectNamespace(cfg, cfg.Name, r.To)
			}
		}
	}
	if len(spec.DurableObjects) > 0 || len(opts.DurableObjects) > 0 {
		opts.ObjectStore = p.store.DurableObjects()
	}
	for _, s := range cfg.Services {
		if s.Binding == "" || s.Service == "" {
			return fmt.Errorf("%s: services: every entry needs a binding and a service", cfg.File)
		}
		get, ok := p.workers[s.Service]
		if !ok {
			return fmt.Errorf("%s: services binding %s: service %q is not running here; run it alongside with -c (ferry dev -c %s -c path/to/%s/wrangler.toml)", cfg.File, s.Binding, s.Service, filepath.Base(cfg.File), s.Service)
		}
		if spec.Services == nil {
			spec.Services = map[string]env.Service{}
		}
		spec.Services[s.Binding] = core.ServiceOf(get, s.Entrypoint)
	}
	return nil
}

// workerRouter reaches the objects of another Worker, whichever version of it
// runs when a stub is made.
type workerRouter func() *core.Worker

func (get workerRouter) Object(class, id, name string) env.Service {
	return core.ServiceOfObject(get, class, id, name)
}

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
