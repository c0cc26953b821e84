package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/internal/awsbind"
)

// The AWS bindings live in internal/awsbind, shared with the Lambda
// bootstrap (internal/lambdaboot); these are the names the CLI uses.

type (
	awsSet     = awsbind.Set
	namedQueue = awsbind.NamedQueue
)

func awsBindings(ctx context.Context, getenv func(string) string, b manifest.Bindings, a *config.AWS) (awsSet, error) {
	return awsbind.Bindings(ctx, getenv, b, a)
}

func awsConfig(ctx context.Context, a *config.AWS) (aws.Config, error) { return awsbind.Config(ctx, a) }
