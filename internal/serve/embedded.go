package serve

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/assets"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/cron"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/script"
)

// What `ferry dev` and `ferry serve` share: the core.Options of a project's
// Worker over the embedded store (bindings/local), and how wrangler config
// entries map onto that store.

// Project is a Worker to run: its config (nil with --main and no config
// file), entry, cron triggers, embedded store and, in ferry dev, the other
// Workers of the process.
type Project struct {
	Dir     string
	Cfg     *config.Worker
	Entry   string
	EnvName string
	Crons   []*cron.Schedule
	Store   *local.Store // bindings' data, shared by every build
	// Workers are the Workers of this process by name, for service
	// bindings and Durable Objects of other scripts; nil outside ferry dev.
	Workers map[string]func() *core.Worker
}

// StateRoot is the directory the default state directory is in: the
// wrangler config's, or Dir when there is none.
func (p *Project) StateRoot() string {
	if p.Cfg != nil {
		return p.Cfg.Dir
	}
	return p.Dir
}

// Name is the Worker's name for log lines.
func (p *Project) Name() string {
	if p.Cfg != nil && p.Cfg.Name != "" {
		return p.Cfg.Name
	}
	return strings.TrimSuffix(filepath.Base(p.Entry), filepath.Ext(p.Entry))
}

// StateOptions are the --persist-to and --no-persist flags.
type StateOptions struct {
	PersistTo string
	NoPersist bool
}

// DefaultStateDir is where state lives, relative to the project (the
// directory of the wrangler config), like wrangler's .wrangler/state.
const DefaultStateDir = ".ferry/state"

// Register adds the flags to fs.
func (o *StateOptions) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.PersistTo, "persist-to", "", "directory for local binding data (default: "+DefaultStateDir+" in the project)")
	fs.BoolVar(&o.NoPersist, "no-persist", false, "keep binding data in memory only; it is lost on exit")
}

// Dir returns the state directory for a project rooted at root ("" for
// memory); wd resolves a relative --persist-to.
func (o *StateOptions) Dir(wd, root string) string {
	switch {
	case o.NoPersist:
		return ""
	case o.PersistTo != "":
		if filepath.IsAbs(o.PersistTo) {
			return filepath.Clean(o.PersistTo)
		}
		return filepath.Join(wd, o.PersistTo)
	default:
		return filepath.Join(root, DefaultStateDir)
	}
}

// WorkerOptions returns the options of p's Worker on bundle b: the config's
// vars, its bindings opened in p.Store, its limits. Dev and serve differ
// only in prod: a production Worker shows no stacks to clients and refuses
// private fetch() destinations unless the config's [ferry]
// allow_private_fetch says so. Secrets are the caller's to add
// (opts.Env.Secrets).
func WorkerOptions(p *Project, b *script.Result, runtimes int, log *slog.Logger, prod bool) (core.Options, error) {
	spec := &env.Spec{}
	opts := core.Options{Bundle: b, Runtimes: runtimes, Env: spec, Log: log, Dev: !prod, AllowPrivateFetch: !prod}
	if p.Store != nil {
		// The Cache API (caches.default, caches.open) keeps its entries
		// in the state directory too.
		c, cerr := p.Store.Cache()
		if cerr != nil {
			return opts, cerr
		}
		opts.Cache = c
	}
	cfg := p.Cfg
	if cfg == nil {
		return opts, nil
	}
	var err error
	spec.Vars = cfg.Vars
	if spec.D1, err = D1Bindings(cfg, p.Store); err != nil {
		return opts, err
	}
	if spec.Queues, err = QueueProducers(cfg, p.Store); err != nil {
		return opts, err
	}
	if spec.KV, err = KVBindings(cfg, p.Store); err != nil {
		return opts, err
	}
	if spec.R2, err = R2Bindings(cfg, p.Store); err != nil {
		return opts, err
	}
	if err := LoadAssets(cfg, spec, log); err != nil {
		return opts, err
	}
	if err := rpcBindings(p, &opts); err != nil {
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

// localName is the local store name a binding entry uses, as wrangler's local
// mode picks it: the preview name or id when set, else the production one,
// else the binding name.
func localName(preview, prod, binding string) string {
	switch {
	case preview != "":
		return preview
	case prod != "":
		return prod
	default:
		return binding
	}
}

// openBindings opens one store object per config entry, keyed by binding name
// (nil when there are none). name returns an entry's binding and local name;
// kind words the error ("KV namespace").
func openBindings[E, B any](entries []E, name func(E) (binding, local string), open func(string) (B, error), kind string) (map[string]B, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	out := make(map[string]B, len(entries))
	for _, e := range entries {
		binding, local := name(e)
		b, err := open(local)
		if err != nil {
			return nil, fmt.Errorf("opening %s %s: %w", kind, binding, err)
		}
		out[binding] = b
	}
	return out, nil
}

// KVNamespaceID is the local namespace a kv_namespaces entry uses: the
// preview_id when there is one (as wrangler dev does), else the id, else the
// binding name (wrangler lets local-only projects leave the id out).
func KVNamespaceID(n config.KVNamespace) string { return localName(n.PreviewID, n.ID, n.Binding) }

// KVBindings opens the config's KV namespaces in st.
func KVBindings(cfg *config.Worker, st *local.Store) (map[string]kv.Namespace, error) {
	if cfg == nil {
		return nil, nil
	}
	return openBindings(cfg.KVNamespaces, func(n config.KVNamespace) (string, string) { return n.Binding, KVNamespaceID(n) }, func(name string) (kv.Namespace, error) { return st.KV(name) }, "KV namespace")
}

// R2BucketName is the local bucket an r2_buckets entry uses: its
// preview_bucket_name when set (as for KV's preview_id), else bucket_name,
// else the binding name.
func R2BucketName(b config.R2Bucket) string {
	return localName(b.PreviewBucketName, b.BucketName, b.Binding)
}

// R2Bindings opens the config's R2 buckets in st.
func R2Bindings(cfg *config.Worker, st *local.Store) (map[string]r2.Bucket, error) {
	if cfg == nil {
		return nil, nil
	}
	return openBindings(cfg.R2Buckets, func(b config.R2Bucket) (string, string) { return b.Binding, R2BucketName(b) }, func(name string) (r2.Bucket, error) { return st.R2(name) }, "R2 bucket")
}

// D1DatabaseID is the local database a d1_databases entry uses: the
// preview_database_id when there is one (as wrangler's local mode does),
// else the database_id, else the binding name.
func D1DatabaseID(db config.D1Database) string {
	return localName(db.PreviewDatabaseID, db.DatabaseID, db.Binding)
}

// D1Bindings opens the config's D1 databases in st.
func D1Bindings(cfg *config.Worker, st *local.Store) (map[string]d1.Database, error) {
	if cfg == nil {
		return nil, nil
	}
	return openBindings(cfg.D1Databases, func(db config.D1Database) (string, string) { return db.Binding, D1DatabaseID(db) }, func(name string) (d1.Database, error) { return st.D1(name) }, "D1 database")
}

// QueueName is the local queue a producer entry sends to: its queue, else its
// binding name (a local-only project may leave the queue out).
func QueueName(p config.QueueProducer) string {
	if p.Queue != "" {
		return p.Queue
	}
	return p.Binding
}

// QueueProducers opens the config's queue producers in st.
func QueueProducers(cfg *config.Worker, st *local.Store) (map[string]queue.Producer, error) {
	if cfg == nil || len(cfg.Queues.Producers) == 0 {
		return nil, nil
	}
	out := map[string]queue.Producer{}
	for _, p := range cfg.Queues.Producers {
		q, err := st.Queue(QueueName(p))
		if err != nil {
			return nil, fmt.Errorf("opening queue %q for binding %s: %w", QueueName(p), p.Binding, err)
		}
		var prod queue.Producer = q
		if p.DeliveryDelay != nil {
			prod = queue.WithDeliveryDelay(q, *p.DeliveryDelay)
		}
		out[p.Binding] = prod
	}
	return out, nil
}

// QueueConsumers builds a consumer loop for each queues.consumers entry,
// delivering to the Worker hold returns. The entries are read once: a change
// to queues.consumers takes a restart.
func QueueConsumers(cfg *config.Worker, st *local.Store, hold func() (*core.Worker, func()), log *slog.Logger) ([]*httpadapter.Consumer, error) {
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

// LoadAssets reads the config's assets directory into spec (nothing when the
// config has no assets table). Each build loads it again, so a dev reload
// serves the files as they are now.
func LoadAssets(cfg *config.Worker, spec *env.Spec, log *slog.Logger) error {
	if cfg == nil || cfg.Assets == nil {
		return nil
	}
	s, err := assets.Load(cfg.Assets.Directory, assets.FromConfig(cfg))
	if err != nil {
		return fmt.Errorf("assets.directory %s: %w", cfg.Assets.Directory, err)
	}
	for _, w := range s.Warnings() {
		log.Warn(w)
	}
	spec.Assets = s
	spec.AssetsBinding = cfg.Assets.Binding
	return nil
}
