// Package manifest is the description of a Worker built for AWS Lambda
// (`ferry build --target lambda`): what the artifact holds and what the
// infrastructure around it must provide — bindings, cron triggers, queue
// consumers, vars and the names of required secrets. The Ferry Terraform
// provider reads it to create the function, its triggers and its resources;
// the Lambda bootstrap reads it at init to load the bundle.
//
// It imports no JavaScript engine, so the provider can use it as is:
//
//	m, err := manifest.Read("/path/to/.ferry/lambda/manifest.json")
//	for _, c := range m.Crons { ... } // one EventBridge rule per cron
//
// The file is JSON; Schema names its version. Fields are only ever added to a
// version; a reader must ignore fields it does not know.
package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ferry-run/ferry/core/config"
)

// Schema is the version string of the manifest format this package writes.
const Schema = "ferry.lambda/v1"

// File names inside a Lambda artifact (the directory and the zip have the
// same files at their root).
const (
	FileName     = "manifest.json"   // this manifest
	BootstrapExe = "bootstrap"       // the ferry binary, run by the provided.al2023 runtime
	BundleFile   = "worker.js"       // the bundled Worker
	SourceMap    = "worker.js.map"   // its standard v3 source map, with sources
	EngineMap    = "worker.goja.map" // the same mappings in the form the JS engine reads (1-based columns, no sources)
)

// Runtime is the Lambda runtime identifier the bootstrap is built for.
const Runtime = "provided.al2023"

// Environment variables the bootstrap reads on Lambda. The provider sets them.
const (
	// EnvInvokeMode is "RESPONSE_STREAM" when the function URL streams
	// responses; anything else (or unset) means buffered responses.
	EnvInvokeMode = "FERRY_INVOKE_MODE"
	// EnvSecretPrefix + NAME carries the secret NAME (FERRY_SECRET_API_KEY
	// becomes env.API_KEY). A secret listed in Manifest.Secrets may also be
	// set under its own name.
	EnvSecretPrefix = "FERRY_SECRET_"
	// EnvVarPrefix + NAME sets the plain-text var NAME, overriding the
	// manifest's vars (FERRY_VAR_GREETING=hi becomes env.GREETING).
	EnvVarPrefix = "FERRY_VAR_"
	// EnvQueues maps SQS queue names to Workers queue names, as a JSON
	// object ({"prod-jobs": "jobs"}), for deployments whose SQS queues are
	// not named like the Workers queues. Unmapped queues keep their SQS name.
	EnvQueues = "FERRY_QUEUES"

	// EnvKVPrefix + BINDING names the DynamoDB table of the KV binding
	// BINDING (FERRY_KV_CACHE=prod-cache).
	EnvKVPrefix = "FERRY_KV_"
	// EnvKVOverflowBucket names the S3 bucket that holds KV values above
	// DynamoDB's item limit, for every KV binding of the function. Unset:
	// such a put fails with an error naming the limit.
	EnvKVOverflowBucket = "FERRY_KV_OVERFLOW_BUCKET"
	// EnvR2Prefix + BINDING names the S3 bucket of the R2 binding BINDING
	// (FERRY_R2_FILES=prod-files).
	EnvR2Prefix = "FERRY_R2_"
	// EnvQueuePrefix + BINDING is the SQS queue URL of the queue producer
	// binding BINDING (FERRY_QUEUE_JOBS=https://sqs.../jobs).
	EnvQueuePrefix = "FERRY_QUEUE_"
)

// Manifest describes one built Worker.
type Manifest struct {
	Schema       string `json:"schema"`        // Schema
	FerryVersion string `json:"ferry_version"` // the ferry that built it (and is its bootstrap)

	Name               string   `json:"name"`
	CompatibilityDate  string   `json:"compatibility_date,omitempty"`
	CompatibilityFlags []string `json:"compatibility_flags,omitempty"`

	// Entry is the entry module, relative to the project directory
	// ("src/index.ts").
	Entry string `json:"entry"`
	// Format is "module" or "service-worker".
	Format string `json:"format"`
	// Handlers are the event kinds the Worker handles: "fetch", "scheduled",
	// "queue", in that order.
	Handlers []string `json:"handlers"`

	// Bundle, SourceMap and EngineMap are file names in the artifact.
	Bundle    string `json:"bundle"`
	SourceMap string `json:"source_map,omitempty"`
	EngineMap string `json:"engine_map,omitempty"`

	// Runtime, Architecture and Handler are what the Lambda function must be
	// created with: provided.al2023, "x86_64" or "arm64", and "bootstrap".
	Runtime      string `json:"runtime"`
	Architecture string `json:"architecture"`
	Handler      string `json:"handler"`

	// Vars are the wrangler config's vars: strings, or any JSON value.
	Vars map[string]any `json:"vars,omitempty"`
	// Secrets are the secret names the Worker requires (wrangler's
	// secrets.required). The bootstrap fails its init, naming them, when
	// one is missing from the Lambda environment.
	Secrets []string `json:"secrets,omitempty"`
	Limits  Limits   `json:"limits"`

	// Crons are the Workers cron expressions of triggers.crons, as written.
	// Each becomes an EventBridge rule whose target input is
	// {"ferry":{"cron":"<expression>"}} (see adapters/lambda).
	Crons []string `json:"crons,omitempty"`

	Bindings Bindings `json:"bindings"`
	// AWS is the config's [ferry.aws]: where the bindings live on AWS. The
	// bootstrap uses it where the FERRY_KV_/FERRY_R2_/FERRY_QUEUE_
	// variables do not say.
	AWS *config.AWS `json:"aws,omitempty"`
	// Consumers are the queue consumers with Cloudflare's defaults filled in.
	Consumers []Consumer `json:"queue_consumers,omitempty"`
}

// Limits are the Worker's limits (zero: the platform default).
type Limits struct {
	CPUMs       int `json:"cpu_ms,omitempty"`
	Subrequests int `json:"subrequests,omitempty"`
	// AllowPrivateFetch is [ferry] allow_private_fetch: fetch() may reach
	// loopback, private and link-local addresses.
	AllowPrivateFetch bool `json:"allow_private_fetch,omitempty"`
}

// Bindings are the binding declarations of the wrangler config, as wrangler
// spells them.
type Bindings struct {
	KVNamespaces   []config.KVNamespace          `json:"kv_namespaces,omitempty"`
	R2Buckets      []config.R2Bucket             `json:"r2_buckets,omitempty"`
	QueueProducers []config.QueueProducer        `json:"queue_producers,omitempty"`
	D1Databases    []D1Database                  `json:"d1_databases,omitempty"`
	DurableObjects []config.DurableObjectBinding `json:"durable_objects,omitempty"`
	Services       []config.ServiceBinding       `json:"services,omitempty"`
}

// D1Database is a d1_databases entry with its migrations directory relative
// to the project.
type D1Database struct {
	Binding         string `json:"binding"`
	DatabaseName    string `json:"database_name,omitempty"`
	DatabaseID      string `json:"database_id,omitempty"`
	MigrationsDir   string `json:"migrations_dir,omitempty"`
	MigrationsTable string `json:"migrations_table,omitempty"`
}

// Consumer is a queue consumer with every setting resolved.
type Consumer struct {
	Queue           string  `json:"queue"`
	MaxBatchSize    int     `json:"max_batch_size"`
	MaxBatchTimeout float64 `json:"max_batch_timeout"` // seconds
	MaxRetries      int     `json:"max_retries"`
	DeadLetterQueue string  `json:"dead_letter_queue,omitempty"`
	RetryDelay      int     `json:"retry_delay"` // seconds
	MaxConcurrency  int     `json:"max_concurrency,omitempty"`
}

// Consumer returns the consumer of the Workers queue named queue.
func (m *Manifest) Consumer(queue string) (Consumer, bool) {
	for _, c := range m.Consumers {
		if c.Queue == queue {
			return c, true
		}
	}
	return Consumer{}, false
}

// Has reports whether the Worker handles the event kind.
func (m *Manifest) Has(kind string) bool {
	for _, h := range m.Handlers {
		if h == kind {
			return true
		}
	}
	return false
}

// Read reads and checks a manifest file.
func Read(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Ferry manifest: %w", err)
	}
	m, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Parse decodes and checks a manifest.
func Parse(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding the Ferry manifest: %w", err)
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("Ferry manifest schema %q, this ferry reads %q: rebuild with `ferry build --target lambda`", m.Schema, Schema)
	}
	if m.Bundle == "" {
		return nil, errors.New("the Ferry manifest names no bundle")
	}
	if m.Format != "module" && m.Format != "service-worker" {
		return nil, fmt.Errorf("the Ferry manifest has unknown format %q", m.Format)
	}
	return &m, nil
}

// Marshal encodes m as indented JSON, the form written to disk.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
