package provider

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// workerBuildDataSource is ferry_worker_build: what a build needs, read
// from its manifest, so that a configuration can create exactly the
// bindings the Worker declares (for_each over kv_bindings, ...) without
// repeating them.
type workerBuildDataSource struct{}

var _ datasource.DataSource = (*workerBuildDataSource)(nil)

func newWorkerBuildDataSource() datasource.DataSource { return &workerBuildDataSource{} }

type workerBuildModel struct {
	Path           types.String `tfsdk:"path"`
	Artifact       types.String `tfsdk:"artifact"`
	SourceCodeHash types.String `tfsdk:"source_code_hash"`
	Name           types.String `tfsdk:"name"`
	Handlers       types.List   `tfsdk:"handlers"`
	Architecture   types.String `tfsdk:"architecture"`
	Crons          types.List   `tfsdk:"crons"`
	KVBindings     types.List   `tfsdk:"kv_bindings"`
	R2Bindings     types.List   `tfsdk:"r2_bindings"`
	QueueProducers types.Map    `tfsdk:"queue_producers"`
	Queues         types.List   `tfsdk:"queues"`
	Consumers      types.List   `tfsdk:"queue_consumers"`
	Secrets        types.List   `tfsdk:"secrets"`
	Vars           types.Map    `tfsdk:"vars"`
}

var consumerType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"queue": types.StringType, "max_batch_size": types.Int64Type, "max_batch_timeout": types.Float64Type,
	"max_retries": types.Int64Type, "dead_letter_queue": types.StringType, "max_concurrency": types.Int64Type,
}}

func (d *workerBuildDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_worker_build"
}

func (d *workerBuildDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	list := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the manifest of a `ferry build --target lambda` build: the Worker's name, handlers, crons, " +
			"bindings, queues and required secrets, so a configuration can create what the Worker needs without repeating it.",
		Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{Required: true,
				MarkdownDescription: "The build: its zip (`.ferry/lambda.zip`), its directory (`.ferry/lambda`) or its `manifest.json`."},
			"artifact": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Path of the zip to deploy (`ferry_worker.artifact`); null when only a manifest.json was given and no zip sits next to its directory."},
			"source_code_hash": schema.StringAttribute{Computed: true, MarkdownDescription: "Base64 SHA-256 of the zip (null without one)."},
			"name":             schema.StringAttribute{Computed: true, MarkdownDescription: "The Worker's name (wrangler `name`)."},
			"handlers":         list("Event kinds the Worker handles: `fetch`, `scheduled`, `queue`."),
			"architecture":     schema.StringAttribute{Computed: true, MarkdownDescription: "`x86_64` or `arm64`."},
			"crons":            list("Cron triggers (`triggers.crons`), as written."),
			"kv_bindings":      list("KV binding names: each needs a `ferry_kv_namespace` in `ferry_worker.kv_namespaces`."),
			"r2_bindings":      list("R2 binding names: each needs a `ferry_bucket` in `ferry_worker.r2_buckets`."),
			"queue_producers": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Queue producer binding → Workers queue name."},
			"queues": list("Every Workers queue the Worker produces to or consumes, sorted: the keys `ferry_worker.queues` needs."),
			"queue_consumers": schema.ListAttribute{Computed: true, ElementType: consumerType,
				MarkdownDescription: "Queue consumers with Cloudflare's defaults filled in: `queue`, `max_batch_size`, `max_batch_timeout` (seconds), " +
					"`max_retries`, `dead_letter_queue`, `max_concurrency`."},
			"secrets": list("Secret names the Worker requires (`secrets.required`): each must be in `ferry_worker.secrets`."),
			"vars": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The build's vars; values that are not strings are JSON-encoded."},
		},
	}
}

func (d *workerBuildDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m workerBuildModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	p := m.Path.ValueString()
	man, err := awsplan.ReadManifest(p)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("path"), "Cannot read the Ferry build", err.Error())
		return
	}
	m.Artifact, m.SourceCodeHash = types.StringNull(), types.StringNull()
	zipPath := p
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		zipPath = filepath.Clean(p) + ".zip"
	} else if filepath.Ext(p) == ".json" {
		zipPath = filepath.Dir(p) + ".zip"
	}
	if art, err := awsplan.ReadArtifact(zipPath); err == nil {
		m.Artifact, m.SourceCodeHash = types.StringValue(art.Zip), types.StringValue(art.SHA256)
	}
	lst := func(s []string) types.List {
		v, diags := types.ListValueFrom(ctx, types.StringType, nonNil(s))
		resp.Diagnostics.Append(diags...)
		return v
	}
	m.Name, m.Architecture = types.StringValue(man.Name), types.StringValue(man.Architecture)
	m.Handlers, m.Crons, m.Secrets = lst(man.Handlers), lst(man.Crons), lst(man.Secrets)
	var kv, r2, queues []string
	for _, b := range man.Bindings.KVNamespaces {
		kv = append(kv, b.Binding)
	}
	for _, b := range man.Bindings.R2Buckets {
		r2 = append(r2, b.Binding)
	}
	producers := map[string]string{}
	seen := map[string]bool{}
	for _, b := range man.Bindings.QueueProducers {
		producers[b.Binding] = b.Queue
		if !seen[b.Queue] {
			seen[b.Queue] = true
			queues = append(queues, b.Queue)
		}
	}
	var consumers []attr.Value
	for _, c := range man.Consumers {
		if !seen[c.Queue] {
			seen[c.Queue] = true
			queues = append(queues, c.Queue)
		}
		dlq := types.StringNull()
		if c.DeadLetterQueue != "" {
			dlq = types.StringValue(c.DeadLetterQueue)
		}
		consumers = append(consumers, types.ObjectValueMust(consumerType.AttrTypes, map[string]attr.Value{
			"queue": types.StringValue(c.Queue), "max_batch_size": types.Int64Value(int64(c.MaxBatchSize)),
			"max_batch_timeout": types.Float64Value(c.MaxBatchTimeout), "max_retries": types.Int64Value(int64(c.MaxRetries)),
			"dead_letter_queue": dlq, "max_concurrency": types.Int64Value(int64(c.MaxConcurrency)),
		}))
	}
	m.KVBindings, m.R2Bindings, m.Queues = lst(kv), lst(r2), lst(sortedSet(queues))
	m.QueueProducers = mustMap(ctx, producers)
	m.Consumers = types.ListValueMust(consumerType, nonNilValues(consumers))
	vars := map[string]string{}
	for k, v := range man.Vars {
		if s, ok := v.(string); ok {
			vars[k] = s
		} else {
			b, _ := json.Marshal(v)
			vars[k] = string(b)
		}
	}
	m.Vars = mustMap(ctx, vars)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func nonNilValues(v []attr.Value) []attr.Value {
	if v == nil {
		return []attr.Value{}
	}
	return v
}
