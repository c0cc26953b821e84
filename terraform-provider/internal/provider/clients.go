package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ferry-run/ferry/terraform-provider/internal/awsplan"
)

// clients are the configured AWS clients the resources share.
type clients struct {
	region      string
	defaultTags map[string]string

	dynamodb *dynamodb.Client
	s3       *s3.Client
	sqs      *sqs.Client
	lambda   *lambda.Client
	iam      *iam.Client
	events   *eventbridge.Client
	sts      *sts.Client

	mu   sync.Mutex
	acct *awsplan.Account
}

// account returns the partition, region and account id of the caller
// (STS GetCallerIdentity, once).
func (c *clients) account(ctx context.Context) (awsplan.Account, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acct != nil {
		return *c.acct, nil
	}
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return awsplan.Account{}, fmt.Errorf("getting the AWS account id (STS GetCallerIdentity): %w", err)
	}
	partition := "aws"
	if parts := strings.SplitN(aws.ToString(out.Arn), ":", 3); len(parts) == 3 && parts[1] != "" {
		partition = parts[1]
	}
	c.acct = &awsplan.Account{Partition: partition, Region: c.region, ID: aws.ToString(out.Account)}
	return *c.acct, nil
}

// tags merges the default tags with a resource's own.
func (c *clients) tags(own map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range c.defaultTags {
		out[k] = v
	}
	for k, v := range own {
		out[k] = v
	}
	return out
}

func stringList(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

func stringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// newClients builds the AWS clients from the provider block, on top of the
// SDK's default configuration chain.
func newClients(ctx context.Context, m *providerModel) (*clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	var opts []func(*config.LoadOptions) error
	if v := m.Region.ValueString(); v != "" {
		opts = append(opts, config.WithRegion(v))
	}
	if v := m.Profile.ValueString(); v != "" {
		opts = append(opts, config.WithSharedConfigProfile(v))
	}
	if v := stringList(ctx, m.SharedConfigFiles, &diags); len(v) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(v))
	}
	if v := stringList(ctx, m.SharedCredentialsFiles, &diags); len(v) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(v))
	}
	if ak, sk := m.AccessKey.ValueString(), m.SecretKey.ValueString(); ak != "" || sk != "" {
		if ak == "" || sk == "" {
			diags.AddError("Incomplete static credentials", "access_key and secret_key must be set together.")
			return nil, diags
		}
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(ak, sk, m.Token.ValueString())))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		diags.AddError("Loading the AWS configuration", err.Error())
		return nil, diags
	}
	if cfg.Region == "" {
		diags.AddError("No AWS region",
			"Set region in the provider block, or AWS_REGION in the environment, or a region in the profile.")
		return nil, diags
	}

	ep := endpoints{}
	if m.Endpoints != nil {
		ep = *m.Endpoints
	}
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, ep.STS) })

	if ar := m.AssumeRole; ar != nil && ar.RoleARN.ValueString() != "" {
		var dur time.Duration
		if s := ar.Duration.ValueString(); s != "" {
			if dur, err = time.ParseDuration(s); err != nil {
				diags.AddAttributeError(pathOf("assume_role", "duration"), "Invalid duration", fmt.Sprintf("%q: %v", s, err))
				return nil, diags
			}
		}
		prov := stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN.ValueString(), func(o *stscreds.AssumeRoleOptions) {
			if v := ar.SessionName.ValueString(); v != "" {
				o.RoleSessionName = v
			}
			if v := ar.ExternalID.ValueString(); v != "" {
				o.ExternalID = aws.String(v)
			}
			if dur > 0 {
				o.Duration = dur
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(prov)
		stsClient = sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, ep.STS) })
	}

	c := &clients{
		region:   cfg.Region,
		dynamodb: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { setEndpoint(&o.BaseEndpoint, ep.DynamoDB) }),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			setEndpoint(&o.BaseEndpoint, ep.S3)
			o.UsePathStyle = m.S3UsePathStyle.ValueBool()
		}),
		sqs:    sqs.NewFromConfig(cfg, func(o *sqs.Options) { setEndpoint(&o.BaseEndpoint, ep.SQS) }),
		lambda: lambda.NewFromConfig(cfg, func(o *lambda.Options) { setEndpoint(&o.BaseEndpoint, ep.Lambda) }),
		iam:    iam.NewFromConfig(cfg, func(o *iam.Options) { setEndpoint(&o.BaseEndpoint, ep.IAM) }),
		events: eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { setEndpoint(&o.BaseEndpoint, ep.Events) }),
		sts:    stsClient,
	}
	if m.DefaultTags != nil {
		c.defaultTags = stringMap(ctx, m.DefaultTags.Tags, &diags)
	}
	return c, diags
}

// setEndpoint overrides a client's endpoint when the provider block sets one.
func setEndpoint(dst **string, v types.String) {
	if s := v.ValueString(); s != "" {
		*dst = aws.String(s)
	}
}
