package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/cron"
	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// inlinePolicyName is the name of the role's inline policy.
const inlinePolicyName = "ferry"

// Statement ids of the function URL's public-access permissions.
const (
	urlStatement       = "ferry-url"
	urlInvokeStatement = "ferry-url-invoke"
)

func (r *workerResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan workerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.reconcile(ctx, &plan, nil, &resp.Diagnostics, func(m *workerModel) { resp.State.Set(ctx, m) })
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

func (r *workerResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state workerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.reconcile(ctx, &plan, &state, &resp.Diagnostics, func(*workerModel) {})
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// reconcile creates or updates every AWS object of the Worker to match plan
// (state: what exists, nil on create), filling plan's computed values.
// saveEarly records the function in the state as soon as it exists, so a
// later failure leaves a tainted resource rather than an orphan.
func (r *workerResource) reconcile(ctx context.Context, plan, state *workerModel, diags *diag.Diagnostics, saveEarly func(*workerModel)) {
	fail := func(what string, err error) {
		diags.AddError("Deploying Ferry worker "+plan.Name.ValueString(), what+": "+err.Error())
	}
	name, role := plan.Name.ValueString(), plan.RoleName.ValueString()
	if role == "" {
		role = name
		plan.RoleName = types.StringValue(role)
	}
	art, err := awsplan.ReadArtifact(plan.Artifact.ValueString())
	if err != nil {
		fail("reading the artifact", err)
		return
	}
	if h := plan.SourceCodeHash.ValueString(); h != "" && h != art.SHA256 {
		fail("reading the artifact", fmt.Errorf("%s changed between plan and apply (SHA-256 %s, planned %s): run terraform apply again", art.Zip, art.SHA256, h))
		return
	}
	m := art.Manifest
	w, _ := wiringOf(ctx, plan, diags)
	acct, err := r.c.account(ctx)
	if err != nil {
		fail("getting the account", err)
		return
	}
	urls, ok := r.queueURLs(ctx, w, m)
	if !ok {
		fail("looking up queue URLs", errors.New("a queue the Worker produces to does not exist"))
		return
	}
	env, err := w.Environment(m, urls)
	if err != nil {
		fail("computing the environment", err)
		return
	}
	policy := awsplan.Policy(acct, w.Grants(m, name)).JSON()
	if !plan.Policy.IsUnknown() && awsplan.EqualPolicyJSON(plan.Policy.ValueString(), policy) {
		policy = plan.Policy.ValueString()
	}
	tags := r.c.tags(tagsOf(ctx, plan.Tags, diags))

	// 1. Role and its inline policy.
	roleARN, err := r.ensureRole(ctx, role, tags)
	if err != nil {
		fail("creating the IAM role", err)
		return
	}
	if state == nil || state.Policy.ValueString() != policy {
		if _, err := r.c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String(role), PolicyName: aws.String(inlinePolicyName), PolicyDocument: aws.String(policy),
		}); err != nil {
			fail(fmt.Sprintf("putting the inline policy of IAM role %q", role), err)
			return
		}
	}
	plan.RoleARN, plan.Policy = types.StringValue(roleARN), types.StringValue(policy)

	// 2. The function: code, then configuration.
	zip, err := os.ReadFile(art.Zip)
	if err != nil {
		fail("reading the artifact", err)
		return
	}
	fnEnv := &lambdatypes.Environment{Variables: env}
	var fnARN string
	if state == nil {
		fnARN, err = r.createFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName:  aws.String(name),
			Role:          aws.String(roleARN),
			Runtime:       lambdatypes.Runtime(m.Runtime),
			Handler:       aws.String(m.Handler),
			Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(m.Architecture)},
			Code:          &lambdatypes.FunctionCode{ZipFile: zip},
			MemorySize:    aws.Int32(int32(plan.MemorySize.ValueInt64())),
			Timeout:       aws.Int32(int32(plan.Timeout.ValueInt64())),
			Environment:   fnEnv,
			Description:   aws.String(fmt.Sprintf("Ferry Worker %s", m.Name)),
			Tags:          tags,
		})
		if err != nil {
			fail(fmt.Sprintf("creating Lambda function %q", name), err)
			return
		}
		plan.FunctionARN = types.StringValue(fnARN)
		early := *plan
		early.URL, early.EventSourceMappings = types.StringNull(), types.MapNull(types.StringType)
		early.Environment, _ = types.MapValueFrom(ctx, types.StringType, publicEnv(env))
		saveEarly(&early)
	} else {
		fnARN = state.FunctionARN.ValueString()
		if state.SourceCodeHash.ValueString() != art.SHA256 || state.Architecture.ValueString() != m.Architecture {
			if _, err := r.c.lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName: aws.String(name), ZipFile: zip,
				Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(m.Architecture)},
			}); err != nil {
				fail(fmt.Sprintf("updating the code of Lambda function %q", name), err)
				return
			}
			if err := r.waitUpdated(ctx, name); err != nil {
				fail("waiting for the code update", err)
				return
			}
		}
		if !state.MemorySize.Equal(plan.MemorySize) || !state.Timeout.Equal(plan.Timeout) || !state.Environment.Equal(mustMap(ctx, publicEnv(env))) ||
			!state.Secrets.Equal(plan.Secrets) || state.RoleARN.ValueString() != roleARN {
			if _, err := r.c.lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
				FunctionName: aws.String(name), Role: aws.String(roleARN),
				MemorySize: aws.Int32(int32(plan.MemorySize.ValueInt64())), Timeout: aws.Int32(int32(plan.Timeout.ValueInt64())),
				Environment: fnEnv,
			}); err != nil {
				fail(fmt.Sprintf("updating the configuration of Lambda function %q", name), err)
				return
			}
			if err := r.waitUpdated(ctx, name); err != nil {
				fail("waiting for the configuration update", err)
				return
			}
		}
		if !state.Tags.Equal(plan.Tags) && len(tags) > 0 {
			if _, err := r.c.lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(fnARN), Tags: tags}); err != nil {
				fail("tagging the function", err)
				return
			}
		}
	}
	plan.FunctionARN = types.StringValue(fnARN)
	plan.SourceCodeHash, plan.Architecture = types.StringValue(art.SHA256), types.StringValue(m.Architecture)
	plan.Environment = mustMap(ctx, publicEnv(env))

	// 3. Function URL.
	if err := r.reconcileURL(ctx, plan, state); err != nil {
		fail("configuring the function URL", err)
		return
	}

	// 4. Cron rules.
	var oldCrons []string
	if state != nil {
		oldCrons = stringList(ctx, state.Crons, diags)
	}
	newCrons := stringList(ctx, plan.Crons, diags)
	for _, c := range oldCrons {
		if !contains(newCrons, c) {
			if err := r.deleteCron(ctx, name, c); err != nil {
				fail(fmt.Sprintf("removing cron %q", c), err)
				return
			}
		}
	}
	for _, c := range newCrons {
		if state == nil || !contains(oldCrons, c) || !state.Tags.Equal(plan.Tags) {
			if err := r.putCron(ctx, name, fnARN, c, tags); err != nil {
				fail(fmt.Sprintf("creating the EventBridge rule for cron %q", c), err)
				return
			}
		}
	}

	// 5. Event source mappings.
	esm, err := r.reconcileESMs(ctx, name, acct, consumerQueues(w, m), state, diags)
	if err != nil {
		fail("configuring the SQS event source mappings", err)
		return
	}
	plan.EventSourceMappings = mustMap(ctx, esm)
	plan.ID = plan.Name
}

func mustMap(ctx context.Context, m map[string]string) types.Map {
	v, _ := types.MapValueFrom(ctx, types.StringType, m)
	return v
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ensureRole returns the ARN of the role, creating it if it does not exist.
func (r *workerResource) ensureRole(ctx context.Context, role string, tags map[string]string) (string, error) {
	out, err := r.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	if err == nil {
		return aws.ToString(out.Role.Arn), nil
	}
	if !isNotFound(err, "NoSuchEntity") {
		return "", err
	}
	var iamTags []iamtypes.Tag
	for _, k := range sortedKeys(tags) {
		iamTags = append(iamTags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	created, err := r.c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(awsplan.AssumeRolePolicy),
		Description: aws.String("Ferry Worker role"), Tags: iamTags,
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(created.Role.Arn), nil
}

// createFunction creates the function, retrying while a new role has not
// yet propagated to Lambda (IAM is eventually consistent), and waits until
// the function is active.
func (r *workerResource) createFunction(ctx context.Context, in *lambda.CreateFunctionInput) (string, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := r.c.lambda.CreateFunction(ctx, in)
		if err == nil {
			w := lambda.NewFunctionActiveV2Waiter(r.c.lambda, func(o *lambda.FunctionActiveV2WaiterOptions) {
				o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
			})
			if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: in.FunctionName}, 5*time.Minute); err != nil {
				return aws.ToString(out.FunctionArn), fmt.Errorf("waiting for the function to become active: %w", err)
			}
			return aws.ToString(out.FunctionArn), nil
		}
		var ipv *lambdatypes.InvalidParameterValueException
		if !errors.As(err, &ipv) || !strings.Contains(err.Error(), "assume") || time.Now().After(deadline) {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

func (r *workerResource) waitUpdated(ctx context.Context, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(r.c.lambda, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
	})
	return w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 5*time.Minute)
}

func urlCORS(ctx context.Context, c *corsModel) *lambdatypes.Cors {
	if c == nil {
		return nil
	}
	var d diag.Diagnostics
	out := &lambdatypes.Cors{
		AllowOrigins: stringList(ctx, c.AllowOrigins, &d), AllowMethods: stringList(ctx, c.AllowMethods, &d),
		AllowHeaders: stringList(ctx, c.AllowHeaders, &d), ExposeHeaders: stringList(ctx, c.ExposeHeaders, &d),
	}
	if !c.MaxAge.IsNull() {
		out.MaxAge = aws.Int32(int32(c.MaxAge.ValueInt64()))
	}
	if !c.AllowCredentials.IsNull() {
		out.AllowCredentials = aws.Bool(c.AllowCredentials.ValueBool())
	}
	return out
}

// reconcileURL creates, updates or deletes the function URL and its
// public-access permissions.
func (r *workerResource) reconcileURL(ctx context.Context, plan, state *workerModel) error {
	name := plan.Name.ValueString()
	var had *urlModel
	if state != nil {
		had = state.FunctionURL
	}
	u := plan.FunctionURL
	if u == nil {
		plan.URL = types.StringNull()
		if had == nil {
			return nil
		}
		r.removePermission(ctx, name, urlStatement)
		r.removePermission(ctx, name, urlInvokeStatement)
		_, err := r.c.lambda.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: aws.String(name)})
		if err != nil && !isNotFound(err, "ResourceNotFoundException") {
			return err
		}
		return nil
	}
	auth := lambdatypes.FunctionUrlAuthType(u.AuthType.ValueString())
	mode := lambdatypes.InvokeMode(u.InvokeMode.ValueString())
	var url string
	if had == nil || state.URL.IsNull() {
		out, err := r.c.lambda.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{
			FunctionName: aws.String(name), AuthType: auth, InvokeMode: mode, Cors: urlCORS(ctx, u.CORS),
		})
		if err != nil {
			return err
		}
		url = aws.ToString(out.FunctionUrl)
	} else {
		cors := urlCORS(ctx, u.CORS)
		if cors == nil {
			cors = &lambdatypes.Cors{} // clears it
		}
		out, err := r.c.lambda.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{
			FunctionName: aws.String(name), AuthType: auth, InvokeMode: mode, Cors: cors,
		})
		if err != nil {
			return err
		}
		url = aws.ToString(out.FunctionUrl)
	}
	plan.URL = types.StringValue(url)
	r.removePermission(ctx, name, urlStatement)
	r.removePermission(ctx, name, urlInvokeStatement)
	if auth == lambdatypes.FunctionUrlAuthTypeNone {
		// A public URL needs both permissions (since October 2025 AWS checks
		// lambda:InvokeFunction as well as lambda:InvokeFunctionUrl).
		if _, err := r.c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(name), StatementId: aws.String(urlStatement), Action: aws.String("lambda:InvokeFunctionUrl"),
			Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone,
		}); err != nil {
			return fmt.Errorf("allowing public calls to the URL: %w", err)
		}
		if _, err := r.c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(name), StatementId: aws.String(urlInvokeStatement), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true),
		}); err != nil {
			return fmt.Errorf("allowing public calls to the URL: %w", err)
		}
	}
	return nil
}

// removePermission removes a statement from the function's resource
// policy; a missing statement is fine.
func (r *workerResource) removePermission(ctx context.Context, name, sid string) {
	r.c.lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String(sid)})
}

// putCron creates (or overwrites) the rule, target and permission of one
// cron trigger; all three calls are idempotent.
func (r *workerResource) putCron(ctx context.Context, name, fnARN, expr string, tags map[string]string) error {
	sched, err := cron.ToEventBridge(expr)
	if err != nil {
		return err
	}
	rule := awsplan.CronRuleName(name, expr)
	var ebTags []ebtypes.Tag
	for _, k := range sortedKeys(tags) {
		ebTags = append(ebTags, ebtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	out, err := r.c.events.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(rule), ScheduleExpression: aws.String(sched), State: ebtypes.RuleStateEnabled,
		Description: aws.String(fmt.Sprintf("Ferry cron %q for %s", expr, name)), Tags: ebTags,
	})
	if err != nil {
		return err
	}
	tout, err := r.c.events.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule:    aws.String(rule),
		Targets: []ebtypes.Target{{Id: aws.String("ferry"), Arn: aws.String(fnARN), Input: aws.String(cronInput(expr))}},
	})
	if err != nil {
		return err
	}
	if tout.FailedEntryCount > 0 {
		return fmt.Errorf("putting the target of rule %q: %s", rule, aws.ToString(tout.FailedEntries[0].ErrorMessage))
	}
	sid := awsplan.CronStatementID(name, expr)
	r.removePermission(ctx, name, sid)
	_, err = r.c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(name), StatementId: aws.String(sid), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("events.amazonaws.com"), SourceArn: out.RuleArn,
	})
	return err
}

// deleteCron removes one cron trigger's rule, target and permission.
func (r *workerResource) deleteCron(ctx context.Context, name, expr string) error {
	rule := awsplan.CronRuleName(name, expr)
	r.removePermission(ctx, name, awsplan.CronStatementID(name, expr))
	_, err := r.c.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: []string{"ferry"}})
	if err != nil && !isNotFound(err, "ResourceNotFoundException") {
		return err
	}
	_, err = r.c.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(rule)})
	if err != nil && !isNotFound(err, "ResourceNotFoundException") {
		return err
	}
	return nil
}

// esmInput returns the batching settings of a consumer.
func esmSettings(c manifest.Consumer) (batch int32, window int32, conc *lambdatypes.ScalingConfig) {
	batch = int32(c.MaxBatchSize)
	if batch <= 0 {
		batch = 10
	}
	window = int32(c.MaxBatchTimeout + 0.999) // whole seconds, rounded up
	if c.MaxConcurrency >= 2 {                // Lambda's minimum for SQS
		conc = &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(int32(c.MaxConcurrency))}
	}
	return batch, window, conc
}

// reconcileESMs makes one event source mapping per consumed queue, with
// the consumer's settings, and deletes the others. It returns queue → UUID.
func (r *workerResource) reconcileESMs(ctx context.Context, name string, acct awsplan.Account, want map[string]manifest.Consumer, state *workerModel, diags *diag.Diagnostics) (map[string]string, error) {
	have, err := r.listESMs(ctx, name)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for q, uuid := range have {
		if _, ok := want[q]; !ok {
			if _, err := r.c.lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: aws.String(uuid)}); err != nil && !isNotFound(err, "ResourceNotFoundException") {
				return nil, fmt.Errorf("deleting the mapping from %q: %w", q, err)
			}
		}
	}
	for _, q := range sortedConsumerKeys(want) {
		batch, window, conc := esmSettings(want[q])
		if uuid, ok := have[q]; ok {
			_, err := r.c.lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{
				UUID: aws.String(uuid), FunctionName: aws.String(name), BatchSize: aws.Int32(batch),
				MaximumBatchingWindowInSeconds: aws.Int32(window), ScalingConfig: conc,
				FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
			})
			if err != nil {
				return nil, fmt.Errorf("updating the mapping from %q: %w", q, err)
			}
			out[q] = uuid
			continue
		}
		created, err := r.c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
			FunctionName: aws.String(name), EventSourceArn: aws.String(acct.QueueARN(q)), Enabled: aws.Bool(true),
			BatchSize: aws.Int32(batch), MaximumBatchingWindowInSeconds: aws.Int32(window), ScalingConfig: conc,
			FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
		})
		if err != nil {
			return nil, fmt.Errorf("creating the mapping from %q: %w", q, err)
		}
		out[q] = aws.ToString(created.UUID)
	}
	return out, nil
}

func sortedConsumerKeys(m map[string]manifest.Consumer) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return sortedSet(keys)
}

// listESMs returns the function's SQS event source mappings: queue name → UUID.
func (r *workerResource) listESMs(ctx context.Context, name string) (map[string]string, error) {
	out := map[string]string{}
	p := lambda.NewListEventSourceMappingsPaginator(r.c.lambda, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing event source mappings: %w", err)
		}
		for _, e := range page.EventSourceMappings {
			src := aws.ToString(e.EventSourceArn)
			if !strings.Contains(src, ":sqs:") {
				continue
			}
			out[src[strings.LastIndex(src, ":")+1:]] = aws.ToString(e.UUID)
		}
	}
	return out, nil
}
