package provider

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// bucketResource is ferry_bucket: the S3 bucket of one R2 binding.
type bucketResource struct{ c *clients }

var (
	_ resource.ResourceWithConfigure   = (*bucketResource)(nil)
	_ resource.ResourceWithImportState = (*bucketResource)(nil)
)

func newBucketResource() resource.Resource { return &bucketResource{} }

type bucketModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	ARN               types.String `tfsdk:"arn"`
	BlockPublicAccess types.Bool   `tfsdk:"block_public_access"`
	ForceDestroy      types.Bool   `tfsdk:"force_destroy"`
	Tags              types.Map    `tfsdk:"tags"`
}

func (r *bucketResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket"
}

func (r *bucketResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An R2 bucket on Amazon S3: one general purpose bucket, object key = R2 key, with all public " +
			"access blocked unless `block_public_access = false`. Bind it to a Worker with `ferry_worker.r2_buckets`, or use " +
			"it as `ferry_worker.kv_overflow_bucket` for KV values over DynamoDB's 400 KB item limit.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The bucket name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name": schema.StringAttribute{Required: true,
				MarkdownDescription: "S3 bucket name: 3-63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit; globally unique. Changing it replaces the bucket.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{nameValidator{"S3 bucket name", awsplan.CheckBucketName}}},
			"arn": schema.StringAttribute{Computed: true, MarkdownDescription: "The bucket's ARN.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"block_public_access": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Block all public access (the bucket's four public access block settings). Default `true`; " +
					"a change made outside Terraform shows in the next plan."},
			"force_destroy": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Delete every object when the bucket is destroyed. Default `false`: destroying a bucket that still holds objects fails."},
			"tags": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags for the bucket, merged over the provider's `default_tags`."},
		},
	}
}

func (r *bucketResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.c = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if r.c.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r.c.region)}
	}
	if _, err := r.c.s3.CreateBucket(ctx, in); err != nil {
		resp.Diagnostics.AddError("Creating Ferry bucket", fmt.Sprintf("creating S3 bucket %q: %v", name, err))
		return
	}
	acct, err := r.c.account(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Creating Ferry bucket", err.Error())
		return
	}
	m.ID, m.ARN = m.Name, types.StringValue(acct.BucketARN(name))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if err := r.apply(ctx, &m, nil); err != nil {
		resp.Diagnostics.AddError("Creating Ferry bucket", err.Error())
	}
}

// apply sets the bucket's public access block and tags (old: the tags in
// the state, nil on create).
func (r *bucketResource) apply(ctx context.Context, m *bucketModel, old *bucketModel) error {
	name := m.Name.ValueString()
	if old == nil || !old.BlockPublicAccess.Equal(m.BlockPublicAccess) {
		if m.BlockPublicAccess.ValueBool() {
			_, err := r.c.s3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
				Bucket: aws.String(name),
				PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
					IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
				},
			})
			if err != nil {
				return fmt.Errorf("blocking public access to S3 bucket %q: %w", name, err)
			}
		} else if old != nil {
			if _, err := r.c.s3.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(name)}); err != nil {
				return fmt.Errorf("removing the public access block of S3 bucket %q: %w", name, err)
			}
		}
	}
	var diags = new(diagList)
	tags := r.c.tags(tagsOf(ctx, m.Tags, &diags.d))
	oldTags := map[string]string{}
	if old != nil {
		oldTags = r.c.tags(tagsOf(ctx, old.Tags, &diags.d))
	}
	if old != nil && equalMaps(tags, oldTags) {
		return nil
	}
	if len(tags) == 0 {
		if old == nil {
			return nil
		}
		_, err := r.c.s3.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(name)})
		if err != nil {
			return fmt.Errorf("removing the tags of S3 bucket %q: %w", name, err)
		}
		return nil
	}
	var set []s3types.Tag
	for _, k := range sortedKeys(tags) {
		set = append(set, s3types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := r.c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{TagSet: set}}); err != nil {
		return fmt.Errorf("tagging S3 bucket %q: %w", name, err)
	}
	return nil
}

func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	_, err := r.c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	if isNotFound(err, "NotFound", "NoSuchBucket") {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading Ferry bucket", fmt.Sprintf("reading S3 bucket %q: %v", name, err))
		return
	}
	pab, err := r.c.s3.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(name)})
	switch {
	case isNotFound(err, "NoSuchPublicAccessBlockConfiguration"):
		m.BlockPublicAccess = types.BoolValue(false)
	case err != nil:
		resp.Diagnostics.AddError("Reading Ferry bucket", fmt.Sprintf("reading the public access block of S3 bucket %q: %v", name, err))
		return
	default:
		c := pab.PublicAccessBlockConfiguration
		m.BlockPublicAccess = types.BoolValue(c != nil && aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.BlockPublicPolicy) &&
			aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.RestrictPublicBuckets))
	}
	if m.ForceDestroy.IsNull() {
		m.ForceDestroy = types.BoolValue(false) // imported
	}
	acct, err := r.c.account(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Reading Ferry bucket", err.Error())
		return
	}
	m.ID, m.ARN = m.Name, types.StringValue(acct.BucketARN(name))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *bucketResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.apply(ctx, &plan, &state); err != nil {
		resp.Diagnostics.AddError("Updating Ferry bucket", err.Error())
		return
	}
	plan.ID, plan.ARN = state.ID, state.ARN
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *bucketResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	if m.ForceDestroy.ValueBool() {
		err := emptyBucket(ctx, r.c.s3, name)
		if isNotFound(err, "NoSuchBucket") {
			return
		}
		if err != nil {
			resp.Diagnostics.AddError("Deleting Ferry bucket", err.Error())
			return
		}
	}
	_, err := r.c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	if err != nil && !isNotFound(err, "NoSuchBucket") {
		resp.Diagnostics.AddError("Deleting Ferry bucket", fmt.Sprintf("deleting S3 bucket %q: %v (set force_destroy = true to delete its objects too)", name, err))
	}
}

// emptyBucket deletes every object and every unfinished multipart upload.
func emptyBucket(ctx context.Context, c *s3.Client, name string) error {
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing S3 bucket %q: %w", name, err)
		}
		if len(page.Contents) == 0 {
			continue
		}
		var ids []s3types.ObjectIdentifier
		for _, o := range page.Contents {
			ids = append(ids, s3types.ObjectIdentifier{Key: o.Key})
		}
		if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(name), Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}}); err != nil {
			return fmt.Errorf("deleting objects of S3 bucket %q: %w", name, err)
		}
	}
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(name)})
	if err != nil {
		return fmt.Errorf("listing multipart uploads of S3 bucket %q: %w", name, err)
	}
	for _, u := range ups.Uploads {
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(name), Key: u.Key, UploadId: u.UploadId}); err != nil {
			return fmt.Errorf("aborting a multipart upload in S3 bucket %q: %w", name, err)
		}
	}
	return nil
}

func (r *bucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByName(ctx, req, resp)
}
