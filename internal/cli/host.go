package cli

import (
	"log/slog"
	"time"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

// What `ferry dev` and `ferry serve` share: the core.Options of a project's
// Worker over the embedded store. Dev and serve differ only in prod: a
// production Worker shows no stacks to clients and refuses private fetch()
// destinations unless the config's [ferry] allow_private_fetch says so.

// workerOptions returns the options of the project's Worker on bundle b: the
// config's vars, its bindings opened in p.store, its limits. Secrets are the
// caller's to add (opts.Env.Secrets).
func (p *project) workerOptions(b *bundle.Result, runtimes int, log *slog.Logger, prod bool) (core.Options, error) {
	spec := &env.Spec{}
	opts := core.Options{Bundle: b, Runtimes: runtimes, Env: spec, Log: log, Dev: !prod, AllowPrivateFetch: !prod}
	if p.store != nil {
		// The Cache API (caches.default, caches.open) keeps its entries
		// in the state directory too.
		c, cerr := p.store.Cache()
		if cerr != nil {
			return opts, cerr
		}
		opts.Cache = c
	}
	cfg := p.cfg
	if cfg == nil {
		return opts, nil
	}
	var err error
	spec.Vars = cfg.Vars
	if spec.D1, err = d1Bindings(cfg, p.store); err != nil {
		return opts, err
	}
	if spec.Queues, err = queueProducers(cfg, p.store); err != nil {
		return opts, err
	}
	if spec.KV, err = kvBindings(cfg, p.store); err != nil {
		return opts, err
	}
	if spec.R2, err = r2Bindings(cfg, p.store); err != nil {
		return opts, err
	}
	if err := loadAssets(cfg, spec, log); err != nil {
		return opts, err
	}
	if err := p.rpcBindings(&opts); err != nil {
		return opts, err
	}
	if cfg.Limits.CPUMs > 0 {
		opts.CPULimit = time.Duration(cfg.Limits.CPUMs) * time.Millisecond
	}
	if cfg.Limits.Subrequests > 0 {
		opts.Subrequests = cfg.Limits.Subrequests
	}
	if prod {
		opts.AllowPrivateFetch = cfg.Ferry.AllowPrivateFetch
	}
	return opts, nil
}
