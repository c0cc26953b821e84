package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

func (r *workerResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m workerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.Name.ValueString()
	fail := func(what string, err error) {
		resp.Diagnostics.AddError("Reading Ferry worker "+name, fmt.Sprintf("%s: %v", what, err))
	}
	fn, err := r.c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	if isNotFound(err, "ResourceNotFoundException") {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		fail(fmt.Sprintf("reading Lambda function %q", name), err)
		return
	}
	c := fn.Configuration
	m.ID = m.Name
	m.FunctionARN = types.StringValue(aws.ToString(c.FunctionArn))
	m.SourceCodeHash = types.StringValue(aws.ToString(c.CodeSha256))
	m.MemorySize = types.Int64Value(int64(aws.ToInt32(c.MemorySize)))
	m.Timeout = types.Int64Value(int64(aws.ToInt32(c.Timeout)))
	if len(c.Architectures) > 0 {
		m.Architecture = types.StringValue(string(c.Architectures[0]))
	}
	roleARN := aws.ToString(c.Role)
	role := roleARN[strings.LastIndex(roleARN, "/")+1:]
	m.RoleName = types.StringValue(role)

	// Environment: the public part, and the secrets Terraform knows of.
	env := map[string]string{}
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	m.Environment = mustMap(ctx, publicEnv(env))
	if !m.Secrets.IsNull() {
		secrets := map[string]attr.Value{}
		for k := range m.Secrets.Elements() {
			if v, ok := env[manifest.EnvSecretPrefix+k]; ok {
				secrets[k] = types.StringValue(v)
			}
		}
		m.Secrets = types.MapValueMust(types.StringType, secrets)
	}
	if m.Artifact.IsNull() { // imported: what the environment says
		r.importBindings(env, &m)
	}

	// Role and policy: a deleted role or policy reads as an empty policy,
	// which the next plan replaces.
	m.RoleARN = types.StringValue(roleARN)
	pol, err := r.c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(inlinePolicyName)})
	switch {
	case isNotFound(err, "NoSuchEntity"):
		m.Policy = types.StringValue("")
	case err != nil:
		fail(fmt.Sprintf("reading the policy of IAM role %q", role), err)
		return
	default:
		doc, err := decodePolicy(aws.ToString(pol.PolicyDocument))
		if err != nil {
			fail("decoding the role policy", err)
			return
		}
		if !awsplan.EqualPolicyJSON(doc, m.Policy.ValueString()) {
			m.Policy = types.StringValue(doc)
		}
	}

	// Function URL.
	u, err := r.c.lambda.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(name)})
	switch {
	case isNotFound(err, "ResourceNotFoundException"):
		m.FunctionURL, m.URL = nil, types.StringNull()
	case err != nil:
		fail("reading the function URL", err)
		return
	default:
		if m.FunctionURL == nil {
			m.FunctionURL = &urlModel{}
		}
		m.FunctionURL.AuthType = types.StringValue(string(u.AuthType))
		m.FunctionURL.InvokeMode = types.StringValue(string(u.InvokeMode))
		if m.FunctionURL.InvokeMode.ValueString() == "" {
			m.FunctionURL.InvokeMode = types.StringValue("BUFFERED")
		}
		m.URL = types.StringValue(aws.ToString(u.FunctionUrl))
	}

	// Crons: keep those whose rule still targets the function.
	var crons []string
	for _, expr := range stringList(ctx, m.Crons, &resp.Diagnostics) {
		rule := awsplan.CronRuleName(name, expr)
		t, err := r.c.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
		if isNotFound(err, "ResourceNotFoundException") {
			continue
		}
		if err != nil {
			fail(fmt.Sprintf("reading EventBridge rule %q", rule), err)
			return
		}
		for _, tg := range t.Targets {
			if aws.ToString(tg.Arn) == m.FunctionARN.ValueString() && aws.ToString(tg.Input) == cronInput(expr) {
				crons = append(crons, expr)
				break
			}
		}
	}
	lv, d := types.ListValueFrom(ctx, types.StringType, nonNil(crons))
	resp.Diagnostics.Append(d...)
	m.Crons = lv

	esm, err := r.listESMs(ctx, name)
	if err != nil {
		fail("reading event source mappings", err)
		return
	}
	m.EventSourceMappings = mustMap(ctx, esm)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// importBindings fills the binding maps of an imported Worker from its
// environment (queue producers cannot be recovered without the build).
func (r *workerResource) importBindings(env map[string]string, m *workerModel) {
	kv, r2, vars := map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	for k, v := range env {
		switch {
		case k == manifest.EnvKVOverflowBucket:
			m.KVOverflowBucket = types.StringValue(v)
		case strings.HasPrefix(k, manifest.EnvKVPrefix):
			kv[strings.TrimPrefix(k, manifest.EnvKVPrefix)] = types.StringValue(v)
		case strings.HasPrefix(k, manifest.EnvR2Prefix):
			r2[strings.TrimPrefix(k, manifest.EnvR2Prefix)] = types.StringValue(v)
		case strings.HasPrefix(k, manifest.EnvVarPrefix):
			vars[strings.TrimPrefix(k, manifest.EnvVarPrefix)] = types.StringValue(v)
		}
	}
	set := func(dst *types.Map, v map[string]attr.Value) {
		if len(v) > 0 {
			*dst = types.MapValueMust(types.StringType, v)
		}
	}
	set(&m.KVNamespaces, kv)
	set(&m.R2Buckets, r2)
	set(&m.Vars, vars)
}

func (r *workerResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m workerModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name, role := m.Name.ValueString(), m.RoleName.ValueString()
	fail := func(what string, err error) {
		resp.Diagnostics.AddError("Deleting Ferry worker "+name, fmt.Sprintf("%s: %v", what, err))
	}
	esm, err := r.listESMs(ctx, name)
	if err != nil && !isNotFound(err, "ResourceNotFoundException") {
		fail("listing event source mappings", err)
		return
	}
	for q, uuid := range esm {
		if _, err := r.c.lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)}); err != nil && !isNotFound(err, "ResourceNotFoundException") {
			fail(fmt.Sprintf("deleting the event source mapping from %q", q), err)
			return
		}
	}
	for _, expr := range stringList(ctx, m.Crons, &resp.Diagnostics) {
		if err := r.deleteCron(ctx, name, expr); err != nil {
			fail(fmt.Sprintf("deleting the rule of cron %q", expr), err)
			return
		}
	}
	if _, err := r.c.lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(name)}); err != nil && !isNotFound(err, "ResourceNotFoundException") {
		fail(fmt.Sprintf("deleting Lambda function %q", name), err)
		return
	}
	if role == "" {
		return
	}
	if _, err := r.c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(inlinePolicyName)}); err != nil && !isNotFound(err, "NoSuchEntity") {
		fail(fmt.Sprintf("deleting the policy of IAM role %q", role), err)
		return
	}
	if _, err := r.c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)}); err != nil && !isNotFound(err, "NoSuchEntity") {
		fail(fmt.Sprintf("deleting IAM role %q", role), err)
	}
}
