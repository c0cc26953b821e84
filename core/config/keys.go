package config

// Key classes from wrangler's configuration schema (workers-sdk
// packages/workers-utils/src/config: environment.ts and config.ts, and the
// config-schema.json shipped with wrangler 4.164). An environment inherits an
// inheritable key it does not set; a non-inheritable key (the bindings, vars,
// define) must be repeated in every environment; a top-level-only key is
// meaningless inside [env.NAME].
//
// Keys Ferry interprets are decoded into Worker fields by decode.go; the others
// listed here are accepted silently and kept in Worker.Extra.

// Inheritable keys Ferry does not interpret.
var inheritableExtra = setOf(
	"access", "account_id", "base_dir", "build", "cache", "compliance_region", "exports",
	"find_additional_modules", "first_party_worker", "jsx_factory", "jsx_fragment", "keep_names",
	"logfwdr", "logpush", "minify", "no_bundle", "observability", "placement", "preserve_file_names",
	"preview_urls", "previews", "python_modules", "route", "routes", "rules", "tsconfig",
	"upload_source_maps", "workers_dev",
)

// Non-inheritable keys Ferry does not interpret.
var nonInheritableExtra = setOf(
	"agent_memory", "ai", "ai_search", "ai_search_namespaces", "analytics", "analytics_engine_datasets",
	"artifacts", "browser", "cloudchamber", "connect", "containers", "dispatch_namespaces", "flagship",
	"hyperdrive", "images", "k2", "media", "mtls_certificates", "pipelines", "ratelimits",
	"secrets_store_secrets", "send_email", "stream", "streaming_tail_consumers", "tail_consumers",
	"unsafe", "unsafe_hello_world", "vectorize", "version_metadata", "vpc_networks", "vpc_services",
	"worker_loaders", "workflows",
)

// Keys valid only at the top level of the file.
var topLevelOnly = setOf(
	"$schema", "addresses", "alias", "data_blobs", "dependencies_instrumentation", "dev", "env",
	"keep_vars", "pages_build_output_dir", "send_metrics", "site", "text_blobs", "wasm_modules",
)

// Keys Ferry decodes into Worker fields, by class.
var (
	inheritableModeled = setOf(
		"name", "main", "compatibility_date", "compatibility_flags", "triggers", "limits",
		"migrations", "assets",
		// Ferry's own settings, which wrangler does not know: [ferry].
		"ferry",
	)
	nonInheritableModeled = setOf(
		"vars", "define", "kv_namespaces", "r2_buckets", "queues", "d1_databases", "durable_objects",
		"services", "secrets",
	)
)

// Keys older wrangler versions accepted and wrangler 4 rejects or ignores;
// each maps to the advice given instead of "unknown key".
var retiredKeys = map[string]string{
	"legacy_env":            `"legacy_env" is no longer supported by wrangler; every environment is a Worker named "<name>-<env>" (ignored)`,
	"node_compat":           `"node_compat" was removed in wrangler 4; use the "nodejs_compat" compatibility flag (ignored)`,
	"type":                  `"type" is a wrangler 1 key and is no longer used (ignored)`,
	"webpack_config":        `"webpack_config" is a wrangler 1 key and is no longer used (ignored)`,
	"usage_model":           `"usage_model" is no longer used (ignored)`,
	"zone_id":               `"zone_id" is no longer used; set the zone on each route (ignored)`,
	"experimental_services": `"experimental_services" was replaced by "services" (ignored)`,
	"kv-namespaces":         `"kv-namespaces" was renamed "kv_namespaces" (ignored)`,
	"miniflare":             `"miniflare" is no longer used (ignored)`,
	"legacy_assets":         `"legacy_assets" was replaced by "assets" (ignored)`,
}

func setOf(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}
