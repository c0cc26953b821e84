package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/cron"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// workerResource is ferry_worker. Create and Update share reconcile, which
// brings every AWS object to the plan, touching only what differs from the
// state (nil on create); Read refreshes each object so that drift and
// deletions outside Terraform show in the next plan.
type workerResource struct{ c *clients }

var (
	_ resource.ResourceWithConfigure   = (*workerResource)(nil)
	_ resource.ResourceWithImportState = (*workerResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*workerResource)(nil)
)

func newWorkerResource() resource.Resource { return &workerResource{} }

func (r *workerResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_worker"
}

func (r *workerResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *workerResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByName(ctx, req, resp)
}

// wiring is the plan's binding maps; ok is false while any is unknown.
func wiringOf(ctx context.Context, m *workerModel, diags *diag.Diagnostics) (w awsplan.Wiring, ok bool) {
	for _, v := range []types.Map{m.KVNamespaces, m.R2Buckets, m.Queues, m.Vars, m.Secrets} {
		if v.IsUnknown() {
			return w, false
		}
		for _, e := range v.Elements() {
			if e.IsUnknown() {
				return w, false
			}
		}
	}
	if m.KVOverflowBucket.IsUnknown() {
		return w, false
	}
	w = awsplan.Wiring{
		KV: stringMap(ctx, m.KVNamespaces, diags), R2: stringMap(ctx, m.R2Buckets, diags), Queues: stringMap(ctx, m.Queues, diags),
		OverflowBucket: m.KVOverflowBucket.ValueString(),
		Vars:           stringMap(ctx, m.Vars, diags), Secrets: stringMap(ctx, m.Secrets, diags),
	}
	if u := m.FunctionURL; u != nil {
		w.InvokeMode = u.InvokeMode.ValueString()
		if w.InvokeMode == "" {
			w.InvokeMode = "BUFFERED"
		}
	}
	return w, true
}

// ModifyPlan reads the artifact and computes what the Worker's AWS objects
// will be, so that the plan shows every change and every mistake (a
// missing binding, a cron EventBridge cannot express, a Worker without a
// fetch handler behind a URL) before anything is created.
func (r *workerResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var cfg, plan workerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *workerModel
	if !req.State.Raw.IsNull() {
		state = &workerModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if plan.RoleName.IsUnknown() && !plan.Name.IsUnknown() && state == nil {
		plan.RoleName = plan.Name
	}
	if plan.Artifact.IsUnknown() {
		return
	}
	art, err := awsplan.ReadArtifact(plan.Artifact.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("artifact"), "Cannot read the Ferry build", err.Error())
		return
	}
	m := art.Manifest
	plan.SourceCodeHash = types.StringValue(art.SHA256)
	plan.Architecture = types.StringValue(m.Architecture)

	// Crons: the build's, unless configured; each must translate.
	crons := m.Crons
	cronPath := path.Root("artifact")
	if !cfg.Crons.IsNull() {
		cronPath = path.Root("crons")
		if cfg.Crons.IsUnknown() {
			crons = nil
		} else {
			crons = stringList(ctx, cfg.Crons, &resp.Diagnostics)
		}
	} else {
		lv, d := types.ListValueFrom(ctx, types.StringType, nonNil(crons))
		resp.Diagnostics.Append(d...)
		plan.Crons = lv
	}
	for i, c := range crons {
		if _, err := cron.ToEventBridge(c); err != nil {
			p := cronPath
			if !cfg.Crons.IsNull() {
				p = p.AtListIndex(i)
			}
			resp.Diagnostics.AddAttributeError(p, "Invalid cron trigger", err.Error())
		}
	}
	if len(crons) > 0 && !m.Has("scheduled") {
		resp.Diagnostics.AddAttributeError(cronPath, "Cron triggers without a scheduled handler",
			fmt.Sprintf("The Worker %q exports no scheduled() handler, so its cron triggers would fail every run.", m.Name))
	}
	if plan.FunctionURL != nil && !m.Has("fetch") {
		resp.Diagnostics.AddAttributeError(path.Root("function_url"), "Function URL without a fetch handler",
			fmt.Sprintf("The Worker %q exports no fetch() handler (it handles %s); remove function_url.", m.Name, strings.Join(m.Handlers, ", ")))
	}

	w, known := wiringOf(ctx, &plan, &resp.Diagnostics)
	if known {
		for _, p := range w.Check(m) {
			at := path.Root(p.Attr)
			if p.Key != "" {
				at = at.AtMapKey(p.Key)
			}
			if p.Severity == awsplan.Warning {
				resp.Diagnostics.AddAttributeWarning(at, p.Summary, p.Detail)
			} else {
				resp.Diagnostics.AddAttributeError(at, p.Summary, p.Detail)
			}
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	// Computed values: known when everything they depend on is.
	plan.Policy, plan.Environment = types.StringUnknown(), types.MapUnknown(types.StringType)
	if known && r.c != nil && !plan.Name.IsUnknown() {
		if acct, err := r.c.account(ctx); err == nil {
			doc := awsplan.Policy(acct, w.Grants(m, plan.Name.ValueString())).JSON()
			if state != nil && awsplan.EqualPolicyJSON(state.Policy.ValueString(), doc) {
				doc = state.Policy.ValueString()
			}
			plan.Policy = types.StringValue(doc)
		}
		if urls, ok := r.queueURLs(ctx, w, m); ok {
			if env, err := w.Environment(m, urls); err != nil {
				resp.Diagnostics.AddError("Lambda environment too large", err.Error())
				return
			} else {
				mv, d := types.MapValueFrom(ctx, types.StringType, publicEnv(env))
				resp.Diagnostics.Append(d...)
				plan.Environment = mv
			}
		}
	}
	plan.EventSourceMappings = types.MapUnknown(types.StringType)
	if known && state != nil {
		want := consumerQueues(w, m)
		have := stringMap(ctx, state.EventSourceMappings, &resp.Diagnostics)
		if sameKeys(want, have) {
			plan.EventSourceMappings = state.EventSourceMappings
		}
	}
	switch {
	case plan.FunctionURL == nil:
		plan.URL = types.StringNull()
	case state != nil && state.FunctionURL != nil && !state.URL.IsNull():
		plan.URL = state.URL
	default:
		plan.URL = types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// queueURLs looks up the URL of every queue the build produces to; ok is
// false when one does not exist yet (it is created in the same apply).
func (r *workerResource) queueURLs(ctx context.Context, w awsplan.Wiring, m *manifest.Manifest) (map[string]string, bool) {
	urls := map[string]string{}
	for _, p := range m.Bindings.QueueProducers {
		name := w.Queues[p.Queue]
		if _, done := urls[name]; done {
			continue
		}
		out, err := r.c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return nil, false
		}
		urls[name] = aws.ToString(out.QueueUrl)
	}
	return urls, true
}

// consumerQueues returns the SQS queue names the function consumes.
func consumerQueues(w awsplan.Wiring, m *manifest.Manifest) map[string]manifest.Consumer {
	out := map[string]manifest.Consumer{}
	for _, c := range m.Consumers {
		out[w.Queues[c.Queue]] = c
	}
	return out
}

func sameKeys[V any](a map[string]V, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// publicEnv drops the secrets from an environment.
func publicEnv(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if !strings.HasPrefix(k, manifest.EnvSecretPrefix) {
			out[k] = v
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cronInput is the EventBridge target input for a cron trigger, as the
// Lambda bootstrap reads it (adapters/lambda.ScheduledInput).
func cronInput(expr string) string {
	b, _ := json.Marshal(map[string]map[string]string{"ferry": {"cron": expr}})
	return string(b)
}

func sortedSet(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
