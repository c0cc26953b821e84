package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// kvNamespaceResource is ferry_kv_namespace: the DynamoDB table of one KV
// namespace, exactly as bindings/dynamo reads it (dynamo.CreateTableInput
// and dynamo.TTLInput).
type kvNamespaceResource struct{ c *clients }

var (
	_ resource.ResourceWithConfigure   = (*kvNamespaceResource)(nil)
	_ resource.ResourceWithImportState = (*kvNamespaceResource)(nil)
)

func newKVNamespaceResource() resource.Resource { return &kvNamespaceResource{} }

type kvNamespaceModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
	ARN  types.String `tfsdk:"arn"`
	Tags types.Map    `tfsdk:"tags"`
}

func (r *kvNamespaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_kv_namespace"
}

func (r *kvNamespaceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Workers KV namespace on Amazon DynamoDB: one on-demand table with hash key `key` (S), the " +
			"global secondary index `list` (hash `list`, range `key`, projecting `exp` and `meta`) that `list()` queries, " +
			"and TTL on `exp`. Bind it to a Worker with `ferry_worker.kv_namespaces`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The table name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: "DynamoDB table name: 3-255 letters, digits, `_`, `.` and `-`. Changing it replaces the table (and loses its data).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameValidator{"DynamoDB table name", awsplan.CheckTableName}}},
			"arn": schema.StringAttribute{Computed: true, MarkdownDescription: "The table's ARN.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for the table, merged over the provider's `default_tags`."},
		},
	}
}

func (r *kvNamespaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *kvNamespaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m kvNamespaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	in := dynamo.CreateTableInput(name)
	in.Tags = dynamoTags(r.c.tags(tagsOf(ctx, m.Tags, &resp.Diagnostics)))
	out, err := r.c.dynamodb.CreateTable(ctx, in)
	if err != nil {
		resp.Diagnostics.AddError("Creating Ferry KV namespace", fmt.Sprintf("creating DynamoDB table %q: %v", name, err))
		return
	}
	m.ID, m.ARN = m.Name, types.StringValue(aws.ToString(out.TableDescription.TableArn))
	// Record the table before waiting, so a failure below leaves it in the
	// state (tainted) rather than orphaned.
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	w := dynamodb.NewTableExistsWaiter(r.c.dynamodb, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
		resp.Diagnostics.AddError("Creating Ferry KV namespace", fmt.Sprintf("waiting for DynamoDB table %q to become active: %v", name, err))
		return
	}
	if _, err := r.c.dynamodb.UpdateTimeToLive(ctx, dynamo.TTLInput(name)); err != nil {
		resp.Diagnostics.AddError("Creating Ferry KV namespace", fmt.Sprintf("enabling TTL on DynamoDB table %q: %v", name, err))
	}
}

func (r *kvNamespaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m kvNamespaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	out, err := r.c.dynamodb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if isNotFound(err, "ResourceNotFoundException") {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading Ferry KV namespace", fmt.Sprintf("describing DynamoDB table %q: %v", name, err))
		return
	}
	if problem := kvSchemaProblem(out.Table); problem != "" {
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Table does not have the KV schema",
			fmt.Sprintf("DynamoDB table %q %s; the KV binding needs hash key %q and the index %q. Recreate it with `terraform apply -replace`.",
				name, problem, dynamo.AttrKey, dynamo.IndexList))
	}
	m.ID, m.ARN = m.Name, types.StringValue(aws.ToString(out.Table.TableArn))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// kvSchemaProblem says what is wrong with a table's keys and index for the
// KV binding, or "".
func kvSchemaProblem(t *ddbtypes.TableDescription) string {
	if len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != dynamo.AttrKey {
		return "has another key schema"
	}
	for _, gsi := range t.GlobalSecondaryIndexes {
		if aws.ToString(gsi.IndexName) == dynamo.IndexList {
			return ""
		}
	}
	return "has no index " + dynamo.IndexList
}

func (r *kvNamespaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state kvNamespaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	old := r.c.tags(tagsOf(ctx, state.Tags, &resp.Diagnostics))
	now := r.c.tags(tagsOf(ctx, plan.Tags, &resp.Diagnostics))
	arn := state.ARN.ValueString()
	if removed := removedKeys(old, now); len(removed) > 0 {
		if _, err := r.c.dynamodb.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: removed}); err != nil {
			resp.Diagnostics.AddError("Updating Ferry KV namespace", fmt.Sprintf("untagging DynamoDB table %q: %v", plan.Name.ValueString(), err))
			return
		}
	}
	if len(now) > 0 {
		if _, err := r.c.dynamodb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: dynamoTags(now)}); err != nil {
			resp.Diagnostics.AddError("Updating Ferry KV namespace", fmt.Sprintf("tagging DynamoDB table %q: %v", plan.Name.ValueString(), err))
			return
		}
	}
	plan.ID, plan.ARN = state.ID, state.ARN
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *kvNamespaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m kvNamespaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	_, err := r.c.dynamodb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	if err != nil && !isNotFound(err, "ResourceNotFoundException") {
		resp.Diagnostics.AddError("Deleting Ferry KV namespace", fmt.Sprintf("deleting DynamoDB table %q: %v", name, err))
		return
	}
	w := dynamodb.NewTableNotExistsWaiter(r.c.dynamodb, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
	})
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 5*time.Minute); err != nil {
		resp.Diagnostics.AddError("Deleting Ferry KV namespace", fmt.Sprintf("waiting for DynamoDB table %q to be deleted: %v", name, err))
	}
}

func (r *kvNamespaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByName(ctx, req, resp)
}

func dynamoTags(tags map[string]string) []ddbtypes.Tag {
	var out []ddbtypes.Tag
	for _, k := range sortedKeys(tags) {
		out = append(out, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}
