package cli

import (
	"flag"
	"log/slog"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/internal/serve"
)

// The embedded store's mapping of wrangler config entries, and the Worker
// options over it, live in internal/serve (shared with cmd/serve, the
// container image's server); these are the names the CLI's commands use.

// DefaultStateDir is where state lives, relative to the project (the
// directory of the wrangler config), like wrangler's .wrangler/state.
const DefaultStateDir = serve.DefaultStateDir

// stateOptions are the --persist-to and --no-persist flags.
type stateOptions struct{ serve.StateOptions }

func (o *stateOptions) register(fs *flag.FlagSet)  { o.Register(fs) }
func (o *stateOptions) dir(wd, root string) string { return o.Dir(wd, root) }

// served is p as internal/serve sees it.
func (p *project) served() *serve.Project {
	return &serve.Project{Dir: p.dir, Cfg: p.cfg, Entry: p.entry, EnvName: p.envName, Crons: p.crons, Store: p.store, Workers: p.workers}
}

// workerOptions returns the options of the project's Worker on bundle b
// (serve.WorkerOptions).
func (p *project) workerOptions(b *bundle.Result, runtimes int, log *slog.Logger, prod bool) (core.Options, error) {
	return serve.WorkerOptions(p.served(), b, runtimes, log, prod)
}

func kvNamespaceID(n config.KVNamespace) string { return serve.KVNamespaceID(n) }
func r2BucketName(b config.R2Bucket) string     { return serve.R2BucketName(b) }
func d1DatabaseID(db config.D1Database) string  { return serve.D1DatabaseID(db) }
func queueName(p config.QueueProducer) string   { return serve.QueueName(p) }

func kvBindings(cfg *config.Worker, st *local.Store) (map[string]kv.Namespace, error) {
	return serve.KVBindings(cfg, st)
}

func r2Bindings(cfg *config.Worker, st *local.Store) (map[string]r2.Bucket, error) {
	return serve.R2Bindings(cfg, st)
}

func d1Bindings(cfg *config.Worker, st *local.Store) (map[string]d1.Database, error) {
	return serve.D1Bindings(cfg, st)
}

func queueProducers(cfg *config.Worker, st *local.Store) (map[string]queue.Producer, error) {
	return serve.QueueProducers(cfg, st)
}

func queueConsumers(cfg *config.Worker, st *local.Store, hold func() (*core.Worker, func()), log *slog.Logger) ([]*httpadapter.Consumer, error) {
	return serve.QueueConsumers(cfg, st, hold, log)
}
