package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

type workerModel struct {
	ID               types.String `tfsdk:"id"`
	Name             types.String `tfsdk:"name"`
	Artifact         types.String `tfsdk:"artifact"`
	SourceCodeHash   types.String `tfsdk:"source_code_hash"`
	Architecture     types.String `tfsdk:"architecture"`
	MemorySize       types.Int64  `tfsdk:"memory_size"`
	Timeout          types.Int64  `tfsdk:"timeout"`
	RoleName         types.String `tfsdk:"role_name"`
	KVNamespaces     types.Map    `tfsdk:"kv_namespaces"`
	KVOverflowBucket types.String `tfsdk:"kv_overflow_bucket"`
	R2Buckets        types.Map    `tfsdk:"r2_buckets"`
	Queues           types.Map    `tfsdk:"queues"`
	Vars             types.Map    `tfsdk:"vars"`
	Secrets          types.Map    `tfsdk:"secrets"`
	Crons            types.List   `tfsdk:"crons"`
	FunctionURL      *urlModel    `tfsdk:"function_url"`
	Tags             types.Map    `tfsdk:"tags"`

	Environment         types.Map    `tfsdk:"environment"`
	Policy              types.String `tfsdk:"policy"`
	EventSourceMappings types.Map    `tfsdk:"event_source_mappings"`
	URL                 types.String `tfsdk:"url"`
	FunctionARN         types.String `tfsdk:"function_arn"`
	RoleARN             types.String `tfsdk:"role_arn"`
}

type urlModel struct {
	AuthType   types.String `tfsdk:"auth_type"`
	InvokeMode types.String `tfsdk:"invoke_mode"`
	CORS       *corsModel   `tfsdk:"cors"`
}

type corsModel struct {
	AllowOrigins     types.List  `tfsdk:"allow_origins"`
	AllowMethods     types.List  `tfsdk:"allow_methods"`
	AllowHeaders     types.List  `tfsdk:"allow_headers"`
	ExposeHeaders    types.List  `tfsdk:"expose_headers"`
	MaxAge           types.Int64 `tfsdk:"max_age"`
	AllowCredentials types.Bool  `tfsdk:"allow_credentials"`
}

func (r *workerResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	strList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Worker on AWS Lambda, from a `ferry build --target lambda` artifact: an IAM role with a " +
			"least-privilege inline policy computed from the bindings, the Lambda function (custom runtime `provided.al2023`, " +
			"the `ferry` bootstrap) with the environment that maps the bindings to AWS resources, an optional function URL, " +
			"one EventBridge rule per cron trigger and one SQS event source mapping per queue consumer.\n\n" +
			"The build's `manifest.json` (inside the zip) says which bindings, queues, crons and secrets the Worker needs; " +
			"`terraform plan` fails, naming the binding, when the configuration does not provide exactly those. A new " +
			"artifact (another SHA-256) updates only the function's code.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The function name.", PlanModifiers: keep},
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: "Lambda function name: 1-64 letters, digits, `_` and `-`. Changing it replaces the Worker.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameValidator{"Lambda function name", awsplan.CheckFunctionName}}},
			"artifact": schema.StringAttribute{Required: true,
				MarkdownDescription: "Path of the build: the zip `ferry build --target lambda` writes (`.ferry/lambda.zip`), or the " +
					"build directory next to it. It is read at plan time; its SHA-256 decides whether the code is updated."},
			"source_code_hash": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Base64 SHA-256 of the artifact zip, as Lambda reports it (`CodeSha256`). A change updates the function's code."},
			"architecture": schema.StringAttribute{Computed: true,
				MarkdownDescription: "Instruction set of the function (`x86_64` or `arm64`), from the build (`ferry build --arch`)."},
			"memory_size": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(256),
				MarkdownDescription: "Memory in MB (128-10240). Default 256. Lambda gives CPU in proportion.",
				Validators:          []validator.Int64{intRange{128, 10240}}},
			"timeout": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(30),
				MarkdownDescription: "Function timeout in seconds (1-900): the longest a request, scheduled run or queue batch may take. " +
					"Default 30. Queues the Worker consumes need a visibility timeout at least this long (`ferry_queue.consumer_timeout`).",
				Validators: []validator.Int64{intRange{1, 900}}},
			"role_name": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Name of the IAM role created for the function. Default: the function name. Changing it replaces the Worker.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameValidator{"IAM role name", awsplan.CheckRoleName}}},
			"kv_namespaces": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "KV binding name → DynamoDB table name (usually `ferry_kv_namespace.<x>.name`), for every `kv_namespaces` binding of the build."},
			"kv_overflow_bucket": schema.StringAttribute{Optional: true,
				MarkdownDescription: "S3 bucket for KV values over DynamoDB's 400 KB item limit (usually a `ferry_bucket`). Unset: such puts fail with an error naming the limit.",
				Validators:          []validator.String{nameValidator{"S3 bucket name", awsplan.CheckBucketName}}},
			"r2_buckets": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "R2 binding name → S3 bucket name (usually `ferry_bucket.<x>.name`), for every `r2_buckets` binding of the build."},
			"queues": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Workers queue name → SQS queue name (usually `ferry_queue.<x>.name`), for every queue the build " +
					"produces to (`queues.producers`) or consumes (`queues.consumers`). Each consumed queue gets an event source mapping " +
					"with the consumer's `max_batch_size`, `max_batch_timeout` and `max_concurrency`, reporting batch item failures."},
			"vars": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Plain-text vars that override the build's `vars` (as `FERRY_VAR_<NAME>`)."},
			"secrets": schema.MapAttribute{Optional: true, Sensitive: true, ElementType: types.StringType,
				MarkdownDescription: "Secrets (as `FERRY_SECRET_<NAME>` in the function's environment). Every name in the build's " +
					"`secrets.required` must be set. They are stored in the Terraform state like any sensitive value."},
			"crons": schema.ListAttribute{Optional: true, Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Workers cron expressions, one EventBridge rule each. Default: the build's `triggers.crons`. " +
					"Each is translated to EventBridge's syntax at plan time; the rule passes the original expression as `event.cron`."},
			"function_url": schema.SingleNestedAttribute{Optional: true,
				MarkdownDescription: "A Lambda function URL for the Worker's `fetch` handler. Unset: no URL.",
				Attributes: map[string]schema.Attribute{
					"auth_type": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("NONE"),
						MarkdownDescription: "`NONE` (public; the provider adds the permissions that allow it) or `AWS_IAM` (SigV4-signed requests). Default `NONE`.",
						Validators:          []validator.String{oneOf{"NONE", "AWS_IAM"}}},
					"invoke_mode": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("BUFFERED"),
						MarkdownDescription: "`BUFFERED` (responses up to 6 MB) or `RESPONSE_STREAM` (the body streams as the Worker writes it). Default `BUFFERED`.",
						Validators:          []validator.String{oneOf{"BUFFERED", "RESPONSE_STREAM"}}},
					"cors": schema.SingleNestedAttribute{Optional: true,
						MarkdownDescription: "CORS settings Lambda applies to the URL (instead of the Worker). Unset: none.",
						Attributes: map[string]schema.Attribute{
							"allow_origins":  strList("Origins allowed to call the URL (`*` for any)."),
							"allow_methods":  strList("HTTP methods allowed (`*` for any)."),
							"allow_headers":  strList("Request headers allowed."),
							"expose_headers": strList("Response headers exposed to the browser."),
							"max_age": schema.Int64Attribute{Optional: true, MarkdownDescription: "Seconds a browser may cache the preflight response (0-86400).",
								Validators: []validator.Int64{intRange{0, 86400}}},
							"allow_credentials": schema.BoolAttribute{Optional: true, MarkdownDescription: "Allow cookies and other credentials."},
						},
					},
				},
			},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for the function, its role and its EventBridge rules, merged over the provider's `default_tags`."},

			"environment": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The function's environment without the secrets: `FERRY_KV_*`, `FERRY_R2_*`, `FERRY_QUEUE_*`, " +
					"`FERRY_QUEUES`, `FERRY_INVOKE_MODE`, `FERRY_VAR_*`. A change made outside Terraform shows in the next plan."},
			"policy": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The role's inline policy (JSON): each bound table and its `list` index, each bucket and its objects, each queue, and the function's own log group."},
			"event_source_mappings": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "SQS queue name → UUID of its event source mapping, one per consumed queue."},
			"url":          schema.StringAttribute{Computed: true, MarkdownDescription: "The function URL (null without `function_url`)."},
			"function_arn": schema.StringAttribute{Computed: true, MarkdownDescription: "The Lambda function's ARN.", PlanModifiers: keep},
			"role_arn":     schema.StringAttribute{Computed: true, MarkdownDescription: "The IAM role's ARN.", PlanModifiers: keep},
		},
	}
}
