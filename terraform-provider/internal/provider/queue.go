package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// queueResource is ferry_queue: the standard SQS queue of one Workers
// queue, with its redrive to a dead-letter queue.
type queueResource struct{ c *clients }

var (
	_ resource.ResourceWithConfigure   = (*queueResource)(nil)
	_ resource.ResourceWithImportState = (*queueResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*queueResource)(nil)
)

func newQueueResource() resource.Resource { return &queueResource{} }

type queueModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	URL               types.String `tfsdk:"url"`
	ARN               types.String `tfsdk:"arn"`
	ConsumerTimeout   types.Int64  `tfsdk:"consumer_timeout"`
	VisibilityTimeout types.Int64  `tfsdk:"visibility_timeout"`
	MessageRetention  types.Int64  `tfsdk:"message_retention"`
	DeadLetterQueue   types.String `tfsdk:"dead_letter_queue"`
	MaxRetries        types.Int64  `tfsdk:"max_retries"`
	Tags              types.Map    `tfsdk:"tags"`
}

// Cloudflare Queues keeps messages 4 days by default, as SQS does.
const defaultRetention = 4 * 24 * 3600

func (r *queueResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_queue"
}

func (r *queueResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Workers queue on Amazon SQS: one standard queue, optionally redriving to a dead-letter " +
			"queue after `max_retries` retries (SQS `maxReceiveCount` = `max_retries` + 1 deliveries). Producers and " +
			"consumers reach it through `ferry_worker.queues`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The queue name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: "SQS queue name: 1-80 letters, digits, `_` and `-` (standard queues only, no `.fifo`). Changing it replaces the queue.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameValidator{"SQS queue name", awsplan.CheckQueueName}}},
			"url": schema.StringAttribute{Computed: true, MarkdownDescription: "The queue URL (what producers send to).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"arn": schema.StringAttribute{Computed: true, MarkdownDescription: "The queue's ARN.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"consumer_timeout": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(30),
				MarkdownDescription: "Timeout in seconds of the Lambda function that consumes the queue (its `ferry_worker.timeout`). " +
					"The visibility timeout defaults to six times it, as AWS recommends for Lambda consumers. Default 30.",
				Validators: []validator.Int64{intRange{1, 900}}},
			"visibility_timeout": schema.Int64Attribute{Optional: true, Computed: true,
				MarkdownDescription: "Visibility timeout in seconds (0-43200): how long a received message stays hidden before it is " +
					"delivered again. Default: six times `consumer_timeout`, at most 43200. Must be at least the consumer's timeout.",
				Validators: []validator.Int64{intRange{0, 43200}}},
			"message_retention": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(defaultRetention),
				MarkdownDescription: "How long SQS keeps a message, in seconds (60-1209600). Default 345600 (4 days), as Cloudflare Queues.",
				Validators:          []validator.Int64{intRange{60, 1209600}}},
			"dead_letter_queue": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Name of the SQS queue that receives messages that failed `max_retries` retries (usually another " +
					"`ferry_queue`'s `name`). Unset: such messages are deleted, as in Cloudflare Queues without a dead-letter queue.",
				Validators: []validator.String{nameValidator{"SQS queue name", awsplan.CheckQueueName}}},
			"max_retries": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(config.DefaultMaxRetries),
				MarkdownDescription: fmt.Sprintf("Retries before a message goes to `dead_letter_queue` (0-999; SQS `maxReceiveCount` is this plus one). Default %d, as Cloudflare Queues.", config.DefaultMaxRetries),
				Validators:          []validator.Int64{intRange{0, 999}}},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for the queue, merged over the provider's `default_tags`."},
		},
	}
}

func (r *queueResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = configureClients(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan derives the visibility timeout from the consumer's timeout.
func (r *queueResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var cfg, plan queueModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.VisibilityTimeout.IsNull() && !plan.ConsumerTimeout.IsUnknown() {
		v := min(6*plan.ConsumerTimeout.ValueInt64(), 43200)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("visibility_timeout"), v)...)
	} else if !cfg.VisibilityTimeout.IsUnknown() && !plan.ConsumerTimeout.IsUnknown() && cfg.VisibilityTimeout.ValueInt64() < plan.ConsumerTimeout.ValueInt64() {
		resp.Diagnostics.AddAttributeError(path.Root("visibility_timeout"), "Visibility timeout shorter than the consumer's timeout",
			fmt.Sprintf("visibility_timeout (%d s) must be at least consumer_timeout (%d s): Lambda refuses an event source mapping "+
				"whose queue would redeliver a batch while the function still runs.", cfg.VisibilityTimeout.ValueInt64(), plan.ConsumerTimeout.ValueInt64()))
	}
}

// attributes are the queue attributes the model sets.
func (r *queueResource) attributes(ctx context.Context, m *queueModel) (map[string]string, error) {
	attrs := map[string]string{
		string(sqstypes.QueueAttributeNameVisibilityTimeout):      strconv.FormatInt(m.VisibilityTimeout.ValueInt64(), 10),
		string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.FormatInt(m.MessageRetention.ValueInt64(), 10),
		string(sqstypes.QueueAttributeNameRedrivePolicy):          "",
	}
	if dlq := m.DeadLetterQueue.ValueString(); dlq != "" {
		acct, err := r.c.account(ctx)
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(map[string]string{
			"deadLetterTargetArn": acct.QueueARN(dlq),
			"maxReceiveCount":     strconv.FormatInt(m.MaxRetries.ValueInt64()+1, 10),
		})
		attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] = string(b)
	}
	return attrs, nil
}

func (r *queueResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m queueModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	attrs, err := r.attributes(ctx, &m)
	if err != nil {
		resp.Diagnostics.AddError("Creating Ferry queue", err.Error())
		return
	}
	if attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)] == "" {
		delete(attrs, string(sqstypes.QueueAttributeNameRedrivePolicy))
	}
	out, err := r.c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(name), Attributes: attrs, Tags: r.c.tags(tagsOf(ctx, m.Tags, &resp.Diagnostics)),
	})
	if err != nil {
		resp.Diagnostics.AddError("Creating Ferry queue", fmt.Sprintf("creating SQS queue %q: %v", name, err))
		return
	}
	m.ID, m.URL = m.Name, types.StringValue(aws.ToString(out.QueueUrl))
	acct, err := r.c.account(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Creating Ferry queue", err.Error())
		return
	}
	m.ARN = types.StringValue(acct.QueueARN(name))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *queueResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m queueModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	u, err := r.c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if isNotFound(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading Ferry queue", fmt.Sprintf("getting the URL of SQS queue %q: %v", name, err))
		return
	}
	out, err := r.c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if isNotFound(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading Ferry queue", fmt.Sprintf("reading SQS queue %q: %v", name, err))
		return
	}
	a := out.Attributes
	num := func(k sqstypes.QueueAttributeName) types.Int64 {
		n, _ := strconv.ParseInt(a[string(k)], 10, 64)
		return types.Int64Value(n)
	}
	m.ID, m.URL, m.ARN = m.Name, types.StringValue(aws.ToString(u.QueueUrl)), types.StringValue(a[string(sqstypes.QueueAttributeNameQueueArn)])
	m.VisibilityTimeout = num(sqstypes.QueueAttributeNameVisibilityTimeout)
	m.MessageRetention = num(sqstypes.QueueAttributeNameMessageRetentionPeriod)
	if m.ConsumerTimeout.IsNull() {
		m.ConsumerTimeout = types.Int64Value(max(1, min(900, m.VisibilityTimeout.ValueInt64()/6))) // imported
	}
	m.DeadLetterQueue = types.StringNull()
	if m.MaxRetries.IsNull() {
		m.MaxRetries = types.Int64Value(config.DefaultMaxRetries)
	}
	if rp := a[string(sqstypes.QueueAttributeNameRedrivePolicy)]; rp != "" {
		var p struct {
			Target string `json:"deadLetterTargetArn"`
			Count  any    `json:"maxReceiveCount"` // a string or a number, depending on the API
		}
		if err := json.Unmarshal([]byte(rp), &p); err == nil {
			m.DeadLetterQueue = types.StringValue(p.Target[strings.LastIndex(p.Target, ":")+1:])
			if n, err := strconv.ParseInt(fmt.Sprint(p.Count), 10, 64); err == nil {
				m.MaxRetries = types.Int64Value(n - 1)
			}
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *queueResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state queueModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name, url := plan.Name.ValueString(), state.URL.ValueString()
	attrs, err := r.attributes(ctx, &plan)
	if err != nil {
		resp.Diagnostics.AddError("Updating Ferry queue", err.Error())
		return
	}
	if _, err := r.c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs}); err != nil {
		resp.Diagnostics.AddError("Updating Ferry queue", fmt.Sprintf("setting attributes of SQS queue %q: %v", name, err))
		return
	}
	old, now := r.c.tags(tagsOf(ctx, state.Tags, &resp.Diagnostics)), r.c.tags(tagsOf(ctx, plan.Tags, &resp.Diagnostics))
	if removed := removedKeys(old, now); len(removed) > 0 {
		if _, err := r.c.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: removed}); err != nil {
			resp.Diagnostics.AddError("Updating Ferry queue", fmt.Sprintf("untagging SQS queue %q: %v", name, err))
			return
		}
	}
	if len(now) > 0 && !equalMaps(old, now) {
		if _, err := r.c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: now}); err != nil {
			resp.Diagnostics.AddError("Updating Ferry queue", fmt.Sprintf("tagging SQS queue %q: %v", name, err))
			return
		}
	}
	plan.ID, plan.URL, plan.ARN = state.ID, state.URL, state.ARN
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *queueResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m queueModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, err := r.c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(m.URL.ValueString())})
	if err != nil && !isNotFound(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
		resp.Diagnostics.AddError("Deleting Ferry queue", fmt.Sprintf("deleting SQS queue %q: %v", m.Name.ValueString(), err))
	}
}

func (r *queueResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByName(ctx, req, resp)
}
