package serve

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/env"
)

// Durable Objects and service bindings: objects of the Worker's own classes
// live in its embedded store; bindings to other Workers (ferry dev -c) reach
// them through Project.Workers.

// ObjectNamespace is the namespace (ids and storage) of class in the Worker
// called worker, following renamed_classes back to the class's first name so
// a rename keeps its objects.
func ObjectNamespace(cfg *config.Worker, worker, class string) string {
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
func rpcBindings(p *Project, opts *core.Options) error {
	cfg := p.Cfg
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
			ns.Namespace = ObjectNamespace(cfg, cfg.Name, b.ClassName)
		} else {
			get, ok := p.Workers[b.ScriptName]
			if !ok {
				return fmt.Errorf("%s: durable_objects binding %s: script_name %q is not running here; run it alongside with -c (ferry dev -c %s -c path/to/%s/wrangler.toml)", cfg.File, b.Name, b.ScriptName, filepath.Base(cfg.File), b.ScriptName)
			}
			ns.Namespace = ObjectNamespace(nil, b.ScriptName, b.ClassName)
			ns.Objects = WorkerRouter(get)
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
					opts.DurableObjects[c] = ObjectNamespace(cfg, cfg.Name, c)
				}
			}
		}
		for _, r := range m.RenamedClasses {
			delete(opts.DurableObjects, r.From)
			if !deleted[r.To] && opts.DurableObjects != nil {
				opts.DurableObjects[r.To] = ObjectNamespace(cfg, cfg.Name, r.To)
			}
		}
	}
	if len(spec.DurableObjects) > 0 || len(opts.DurableObjects) > 0 {
		opts.ObjectStore = p.Store.DurableObjects()
	}
	for _, s := range cfg.Services {
		if s.Binding == "" || s.Service == "" {
			return fmt.Errorf("%s: services: every entry needs a binding and a service", cfg.File)
		}
		get, ok := p.Workers[s.Service]
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

// WorkerRouter reaches the objects of another Worker, whichever version of it
// runs when a stub is made.
type WorkerRouter func() *core.Worker

func (get WorkerRouter) Object(class, id, name string) env.Service {
	return core.ServiceOfObject(get, class, id, name)
}
