// Package provider is the Ferry Terraform provider ("ferry"): resources
// for a Worker's bindings (ferry_kv_namespace → DynamoDB table,
// ferry_bucket → S3 bucket, ferry_queue → SQS queue) and for the Worker
// itself (ferry_worker → IAM role, Lambda function, function URL,
// EventBridge rules for its crons and SQS event source mappings), and the
// data source ferry_worker_build, which reads a build's manifest.
//
// The AWS configuration works like the AWS provider's where they overlap
// (region, profile, shared config and credentials files, static keys,
// assume_role, default_tags, endpoints) and, because clients come from the
// SDK's config.LoadDefaultConfig, it honours the same environment (AWS_REGION,
// AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, ...), so an
// unchanged configuration can be pointed at a local emulator.
//
// What to create is computed by package awsplan (names, IAM policy,
// environment); this package is the glue to the framework and the SDK. Each
// resource reads back what it created so that drift shows in the plan and a
// resource deleted outside Terraform is removed from the state; every
// resource imports by name.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Address is the provider's source address.
const Address = "registry.terraform.io/ferry-run/ferry"

// New returns a constructor of the provider, as providerserver.Serve wants.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &ferryProvider{version: version} }
}

type ferryProvider struct {
	version string
}

var _ provider.Provider = (*ferryProvider)(nil)

func (p *ferryProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ferry"
	resp.Version = p.version
}

// providerModel is the provider block.
type providerModel struct {
	Region                 types.String `tfsdk:"region"`
	Profile                types.String `tfsdk:"profile"`
	SharedConfigFiles      types.List   `tfsdk:"shared_config_files"`
	SharedCredentialsFiles types.List   `tfsdk:"shared_credentials_files"`
	AccessKey              types.String `tfsdk:"access_key"`
	SecretKey              types.String `tfsdk:"secret_key"`
	Token                  types.String `tfsdk:"token"`
	S3UsePathStyle         types.Bool   `tfsdk:"s3_use_path_style"`
	AssumeRole             *assumeRole  `tfsdk:"assume_role"`
	DefaultTags            *defaultTags `tfsdk:"default_tags"`
	Endpoints              *endpoints   `tfsdk:"endpoints"`
}

type assumeRole struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
	Duration    types.String `tfsdk:"duration"`
}

type defaultTags struct {
	Tags types.Map `tfsdk:"tags"`
}

type endpoints struct {
	DynamoDB types.String `tfsdk:"dynamodb"`
	S3       types.String `tfsdk:"s3"`
	SQS      types.String `tfsdk:"sqs"`
	Lambda   types.String `tfsdk:"lambda"`
	IAM      types.String `tfsdk:"iam"`
	Events   types.String `tfsdk:"events"`
	STS      types.String `tfsdk:"sts"`
}

func (p *ferryProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoint := func(service, env string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Endpoint URL for " + service + " requests, instead of the SDK's default (which honours `AWS_ENDPOINT_URL_" +
				env + "`, then `AWS_ENDPOINT_URL`).",
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Deploys [Ferry](https://github.com/ferry-run/ferry) Workers to AWS: a `ferry build --target lambda` " +
			"artifact becomes a Lambda function with a function URL, EventBridge cron rules and SQS event source mappings, and its " +
			"KV, R2 and queue bindings become DynamoDB tables, S3 buckets and SQS queues.\n\n" +
			"AWS settings work like the AWS provider's: every argument is optional and falls back to the standard AWS " +
			"environment variables and shared configuration files (`AWS_REGION`, `AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, " +
			"`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, ...).",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{Optional: true,
				MarkdownDescription: "AWS region for every resource. Default: `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region."},
			"profile": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Named profile of the shared configuration and credentials files. Default: `AWS_PROFILE`."},
			"shared_config_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Shared configuration files to read instead of `~/.aws/config`."},
			"shared_credentials_files": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Shared credentials files to read instead of `~/.aws/credentials`."},
			"access_key": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Static access key id. Prefer the environment or a profile; when set, `secret_key` is required too."},
			"secret_key": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Static secret access key, with `access_key`."},
			"token": schema.StringAttribute{Optional: true, Sensitive: true,
				MarkdownDescription: "Session token for temporary static credentials."},
			"s3_use_path_style": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Address S3 buckets by path (`https://host/bucket`) instead of by virtual host " +
					"(`https://bucket.host`); needed by most S3-compatible stores and local emulators. Default `false`."},
		},
		Blocks: map[string]schema.Block{
			"assume_role": schema.SingleNestedBlock{
				MarkdownDescription: "Assume this IAM role (with STS AssumeRole) using the credentials found as above.",
				Attributes: map[string]schema.Attribute{
					"role_arn":     schema.StringAttribute{Optional: true, MarkdownDescription: "ARN of the role to assume."},
					"session_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Session name. Default: chosen by the SDK."},
					"external_id":  schema.StringAttribute{Optional: true, MarkdownDescription: "External id the role's trust policy requires."},
					"duration": schema.StringAttribute{Optional: true,
						MarkdownDescription: "Session duration as a Go duration (`1h`, `15m`). Default: 15 minutes."},
				},
			},
			"default_tags": schema.SingleNestedBlock{
				MarkdownDescription: "Tags put on every AWS resource this provider creates (the DynamoDB table, S3 bucket, SQS " +
					"queue, IAM role, Lambda function and EventBridge rules). A resource's own `tags` win on conflict.",
				Attributes: map[string]schema.Attribute{
					"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Tag keys and values."},
				},
			},
			"endpoints": schema.SingleNestedBlock{
				MarkdownDescription: "Service endpoints, for S3-compatible stores, VPC endpoints or a local AWS emulator. " +
					"Unset services use the SDK's resolution, which honours `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_ENDPOINT_URL`.",
				Attributes: map[string]schema.Attribute{
					"dynamodb": endpoint("DynamoDB", "DYNAMODB"),
					"s3":       endpoint("S3", "S3"),
					"sqs":      endpoint("SQS", "SQS"),
					"lambda":   endpoint("Lambda", "LAMBDA"),
					"iam":      endpoint("IAM", "IAM"),
					"events":   endpoint("EventBridge", "EVENTBRIDGE"),
					"sts":      endpoint("STS", "STS"),
				},
			},
		},
	}
}

func (p *ferryProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, diags := newClients(ctx, &m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func (p *ferryProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newKVNamespaceResource,
		newBucketResource,
		newQueueResource,
		newWorkerResource,
	}
}

func (p *ferryProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newWorkerBuildDataSource}
}
