// Package config reads a Worker's wrangler configuration (wrangler.json,
// wrangler.jsonc or wrangler.toml) into one canonical struct, Worker, the way
// Cloudflare's wrangler reads it: the same keys, the same [env.NAME]
// inheritance, the same defaults, and local-dev secrets from .dev.vars / .env.
//
// Problems are precise. A key wrangler does not know is a Warning; a value of
// the wrong type, a missing required field or a syntax error is an *Error
// naming the file, the line and the dotted key:
//
//	wrangler.toml:12: unknown key "kv_namespaces[0].bindng" (ignored)
//	wrangler.toml:7: limits.cpu_ms: expected integer, got string "50"
//	wrangler.jsonc:7:5: syntax error: invalid character '"' after object value (expecting ',' or '}')
//
// Keys wrangler documents but Ferry does not interpret (routes, build, rules,
// observability, placement, ai, hyperdrive, ...) are accepted without a warning
// and kept, raw, in Worker.Extra.
//
// Example:
//
//	path, err := config.Find(dir)
//	w, warnings, err := config.Load(path, "staging")
//	secrets, err := config.LoadDevVars(w.Dir, "staging")
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Worker is a Worker's configuration after [env.NAME] has been applied. Paths
// are absolute. Slices and maps are nil when the file does not set them.
type Worker struct {
	File string `json:"file"` // absolute path of the config file
	Dir  string `json:"dir"`  // its directory; relative paths are resolved against it
	Env  string `json:"env,omitempty"`

	Name               string   `json:"name"` // "<name>-<env>" in an environment without its own name
	Main               string   `json:"main,omitempty"`
	CompatibilityDate  string   `json:"compatibility_date,omitempty"`
	CompatibilityFlags []string `json:"compatibility_flags,omitempty"`

	// Vars are plain-text or JSON environment variables: a string, or any JSON
	// value as encoding/json decodes it into an `any` (float64, bool, []any,
	// map[string]any, nil).
	Vars   map[string]any    `json:"vars,omitempty"`
	Define map[string]string `json:"define,omitempty"`

	Triggers Triggers `json:"triggers"`
	Limits   Limits   `json:"limits"`
	// Ferry holds Ferry's own settings ([ferry] in the wrangler config),
	// which wrangler ignores.
	Ferry Ferry `json:"ferry"`

	KVNamespaces   []KVNamespace            `json:"kv_namespaces,omitempty"`
	R2Buckets      []R2Bucket               `json:"r2_buckets,omitempty"`
	Queues         Queues                   `json:"queues"`
	D1Databases    []D1Database             `json:"d1_databases,omitempty"`
	DurableObjects DurableObjects           `json:"durable_objects"`
	Migrations     []DurableObjectMigration `json:"migrations,omitempty"`
	Services       []ServiceBinding         `json:"services,omitempty"`
	Assets         *Assets                  `json:"assets,omitempty"`

	// SecretsRequired is secrets.required: when set, only these names are
	// taken from .dev.vars / .env (see FilterSecrets).
	SecretsRequired []string `json:"secrets_required,omitempty"`

	// Extra holds the keys wrangler documents that Ferry does not interpret
	// (routes, workers_dev, account_id, build, rules, observability, placement,
	// ai, hyperdrive, ...), decoded like Vars, after env inheritance.
	Extra map[string]any `json:"extra,omitempty"`
}

// Triggers is the `triggers` table.
type Triggers struct {
	Crons []string `json:"crons,omitempty"`
}

// Limits is the `limits` table. Zero means the platform default.
type Limits struct {
	CPUMs       int `json:"cpu_ms,omitempty"`
	Subrequests int `json:"subrequests,omitempty"`
}

// KVNamespace is one entry of kv_namespaces.
type KVNamespace struct {
	Binding   string `json:"binding"`
	ID        string `json:"id,omitempty"`
	PreviewID string `json:"preview_id,omitempty"`
	Remote    bool   `json:"remote,omitempty"`
}

// R2Bucket is one entry of r2_buckets.
type R2Bucket struct {
	Binding           string `json:"binding"`
	BucketName        string `json:"bucket_name,omitempty"`
	PreviewBucketName string `json:"preview_bucket_name,omitempty"`
	Jurisdiction      string `json:"jurisdiction,omitempty"`
	Remote            bool   `json:"remote,omitempty"`
}

// Queues is the `queues` table.
type Queues struct {
	Producers []QueueProducer `json:"producers,omitempty"`
	Consumers []QueueConsumer `json:"consumers,omitempty"`
}

// QueueProducer is one entry of queues.producers.
type QueueProducer struct {
	Binding       string `json:"binding"`
	Queue         string `json:"queue,omitempty"`
	DeliveryDelay *int   `json:"delivery_delay,omitempty"` // seconds, 0..43200
	Remote        bool   `json:"remote,omitempty"`
}

// Defaults Cloudflare Queues applies to a consumer that does not set them
// (developers.cloudflare.com/queues/configuration/configure-queues).
const (
	DefaultMaxBatchSize    = 10
	DefaultMaxBatchTimeout = 5 * time.Second
	DefaultMaxRetries      = 3
)

// Limits Cloudflare Queues enforces (developers.cloudflare.com/queues/platform/limits).
const (
	MaxBatchSizeLimit      = 100
	MaxBatchTimeoutLimit   = 60 // seconds
	MaxRetriesLimit        = 100
	MaxDelaySecondsLimit   = 43200 // 12 hours: delivery_delay, retry_delay, delaySeconds
	MaxConsumerConcurrency = 250
)

// QueueConsumer is one entry of queues.consumers. A nil pointer means the
// key is absent; the methods return the value Cloudflare uses then.
type QueueConsumer struct {
	Queue               string   `json:"queue"`
	Type                string   `json:"type,omitempty"` // only "worker" is valid in a config file
	MaxBatchSize        *int     `json:"max_batch_size,omitempty"`
	MaxBatchTimeout     *float64 `json:"max_batch_timeout,omitempty"` // seconds
	MaxRetries          *int     `json:"max_retries,omitempty"`
	DeadLetterQueue     string   `json:"dead_letter_queue,omitempty"`
	RetryDelay          *int     `json:"retry_delay,omitempty"` // seconds
	MaxConcurrency      *int     `json:"max_concurrency,omitempty"`
	VisibilityTimeoutMs *int     `json:"visibility_timeout_ms,omitempty"`
}

// BatchSize is max_batch_size, or DefaultMaxBatchSize.
func (c QueueConsumer) BatchSize() int {
	if c.MaxBatchSize != nil {
		return *c.MaxBatchSize
	}
	return DefaultMaxBatchSize
}

// BatchTimeout is max_batch_timeout, or DefaultMaxBatchTimeout.
func (c QueueConsumer) BatchTimeout() time.Duration {
	if c.MaxBatchTimeout != nil {
		return time.Duration(*c.MaxBatchTimeout * float64(time.Second))
	}
	return DefaultMaxBatchTimeout
}

// Retries is max_retries, or DefaultMaxRetries.
func (c QueueConsumer) Retries() int {
	if c.MaxRetries != nil {
		return *c.MaxRetries
	}
	return DefaultMaxRetries
}

// RetryDelayDuration is retry_delay, or 0 (retry at once).
func (c QueueConsumer) RetryDelayDuration() time.Duration {
	if c.RetryDelay != nil {
		return time.Duration(*c.RetryDelay) * time.Second
	}
	return 0
}

// D1Database is one entry of d1_databases.
type D1Database struct {
	Binding           string `json:"binding"`
	DatabaseName      string `json:"database_name,omitempty"`
	DatabaseID        string `json:"database_id,omitempty"`
	PreviewDatabaseID string `json:"preview_database_id,omitempty"`
	MigrationsDir     string `json:"migrations_dir"` // absolute; <Dir>/migrations by default
	MigrationsTable   string `json:"migrations_table"`
	Remote            bool   `json:"remote,omitempty"`
}

// DefaultD1MigrationsTable is the table wrangler records applied D1 migrations in.
const DefaultD1MigrationsTable = "d1_migrations"

// DurableObjects is the `durable_objects` table.
type DurableObjects struct {
	Bindings []DurableObjectBinding `json:"bindings,omitempty"`
}

// DurableObjectBinding is one entry of durable_objects.bindings.
type DurableObjectBinding struct {
	Name        string `json:"name"`
	ClassName   string `json:"class_name"`
	ScriptName  string `json:"script_name,omitempty"`
	Environment string `json:"environment,omitempty"`
}

// DurableObjectMigration is one [[migrations]] entry.
type DurableObjectMigration struct {
	Tag                string             `json:"tag"`
	NewClasses         []string           `json:"new_classes,omitempty"`
	NewSqliteClasses   []string           `json:"new_sqlite_classes,omitempty"`
	RenamedClasses     []RenamedClass     `json:"renamed_classes,omitempty"`
	DeletedClasses     []string           `json:"deleted_classes,omitempty"`
	TransferredClasses []TransferredClass `json:"transferred_classes,omitempty"`
}

// RenamedClass is one renamed_classes entry.
type RenamedClass struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// TransferredClass is one transferred_classes entry.
type TransferredClass struct {
	From       string `json:"from"`
	FromScript string `json:"from_script"`
	To         string `json:"to"`
}

// ServiceBinding is one entry of services.
type ServiceBinding struct {
	Binding     string         `json:"binding"`
	Service     string         `json:"service"`
	Entrypoint  string         `json:"entrypoint,omitempty"`
	Environment string         `json:"environment,omitempty"`
	Props       map[string]any `json:"props,omitempty"`
	Remote      bool           `json:"remote,omitempty"`
}

// Assets is the `assets` table.
type Assets struct {
	Directory        string `json:"directory"` // absolute
	Binding          string `json:"binding,omitempty"`
	HTMLHandling     string `json:"html_handling"`      // default "auto-trailing-slash"
	NotFoundHandling string `json:"not_found_handling"` // default "none"
	// run_worker_first is either a boolean or a list of route patterns.
	RunWorkerFirst         bool     `json:"run_worker_first,omitempty"`
	RunWorkerFirstPatterns []string `json:"run_worker_first_patterns,omitempty"`
}

// Warning is a problem that does not stop the Worker from loading.
type Warning struct {
	File    string
	Line    int // 0 when the warning is about the file as a whole
	Key     string
	Message string
}

// String formats w as `wrangler.toml:12: unknown key "foo" (ignored)`.
func (w Warning) String() string {
	return location(w.File, w.Line, 0) + w.Message
}

// Error is a problem that stops the configuration from loading: a syntax
// error, a value of the wrong type, a missing required key, an unknown env.
type Error struct {
	File    string
	Line    int // 0 when unknown or not about one place
	Column  int // syntax errors only
	Key     string
	Message string
}

// Error formats e as `wrangler.toml:5: vars.PORT: expected ..., got ...`.
func (e *Error) Error() string {
	s := location(e.File, e.Line, e.Column)
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Message
}

func location(file string, line, col int) string {
	switch {
	case line > 0 && col > 0:
		return fmt.Sprintf("%s:%d:%d: ", file, line, col)
	case line > 0:
		return fmt.Sprintf("%s:%d: ", file, line)
	}
	return file + ": "
}

// Errors is returned when a file has more than one *Error; they are in file
// order. errors.As(err, &e) with e *Error finds the first one.
type Errors []*Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap gives errors.Is and errors.As access to each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// ErrNotFound is wrapped by Find's error when dir has no configuration file.
var ErrNotFound = errors.New("no wrangler configuration file")

// FileNames are the configuration file names, in wrangler's order of precedence.
var FileNames = []string{"wrangler.json", "wrangler.jsonc", "wrangler.toml"}

// Find returns the path of the configuration file in dir, using wrangler's
// precedence: wrangler.json, then wrangler.jsonc, then wrangler.toml.
// Unlike wrangler it does not search parent directories.
func Find(dir string) (string, error) {
	for _, name := range FileNames {
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err == nil && !st.IsDir() {
			return p, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("looking for a wrangler configuration file: %w", err)
		}
	}
	return "", fmt.Errorf("%w in %s (looked for %s)", ErrNotFound, dir, strings.Join(FileNames, ", "))
}

// Load reads the configuration file at path and returns the Worker for the
// environment envName ("" for the top level), with the warnings found.
// Messages name the file as path was given.
func Load(path, envName string) (*Worker, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading wrangler configuration: %w", err)
	}
	return Parse(path, data, envName)
}

// Parse is Load on data already in memory. name gives the format (by its
// extension: .toml, .json or .jsonc), the name used in messages, and, made
// absolute, Worker.File and Worker.Dir.
func Parse(name string, data []byte, envName string) (*Worker, []Warning, error) {
	f, err := formatOf(name)
	if err != nil {
		return nil, nil, err
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, nil, fmt.Errorf("resolving %s: %w", name, err)
	}
	root, err := parseTree(name, data, f)
	if err != nil {
		return nil, nil, err
	}
	d := &decoder{file: name, format: f, dir: filepath.Dir(abs)}
	w := d.worker(root, envName)
	if len(d.errs) > 0 {
		d.sortErrors()
		if len(d.errs) == 1 {
			return nil, d.warnings, d.errs[0]
		}
		return nil, d.warnings, d.errs
	}
	w.File, w.Dir = abs, filepath.Dir(abs)
	return w, d.warnings, nil
}

// FilterSecrets applies secrets.required to values loaded by LoadDevVars, as
// wrangler dev does: when the Worker declares required secrets, only those
// names are kept, and missing lists the required names values lacks. Without
// secrets.required, values is returned unchanged.
func (w *Worker) FilterSecrets(values map[string]string) (kept map[string]string, missing []string) {
	if w.SecretsRequired == nil {
		return values, nil
	}
	kept = make(map[string]string, len(w.SecretsRequired))
	for _, name := range w.SecretsRequired {
		if v, ok := values[name]; ok {
			kept[name] = v
		} else {
			missing = append(missing, name)
		}
	}
	return kept, missing
}

// Ferry is the [ferry] table: settings for Ferry that wrangler has no key for.
type Ferry struct {
	// AllowPrivateFetch lets fetch() reach loopback, private and link-local
	// addresses outside ferry dev (refused by default against SSRF).
	AllowPrivateFetch bool `json:"allow_private_fetch,omitempty"`
	// AWS maps the bindings onto AWS ([ferry.aws]) for the Lambda bootstrap
	// and `ferry serve`. Unlike allow_private_fetch, it is not inherited:
	// an [env.NAME] uses its own [env.NAME.ferry.aws] or none, as with the
	// binding keys it maps.
	AWS *AWS `json:"aws,omitempty"`
}

// AWS is [ferry.aws]: where each binding lives on AWS. Environment variables
// of the Lambda contract (FERRY_KV_<BINDING>, FERRY_R2_<BINDING>,
// FERRY_QUEUE_<BINDING>, FERRY_KV_OVERFLOW_BUCKET) override it.
type AWS struct {
	// Region and Endpoint, when set, replace the SDK's defaults (AWS_REGION,
	// AWS_ENDPOINT_URL...); Endpoint is for emulators and S3-compatible
	// stores.
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// KVOverflowBucket is the S3 bucket for KV values above DynamoDB's
	// item limit.
	KVOverflowBucket string `json:"kv_overflow_bucket,omitempty"`
	// KV maps KV binding names to DynamoDB table names ([ferry.aws.kv]).
	KV map[string]string `json:"kv,omitempty"`
	// R2 maps R2 binding names to S3 bucket names ([ferry.aws.r2]).
	R2 map[string]string `json:"r2,omitempty"`
	// Queues maps Workers queue names to SQS queue URLs or names
	// ([ferry.aws.queues]); an unmapped queue is the SQS queue of its name.
	Queues map[string]string `json:"queues,omitempty"`
}
