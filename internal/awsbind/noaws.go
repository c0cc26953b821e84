//go:build ferry_noaws

package awsbind

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/config"
)

// Set is a Worker's bindings on AWS (none, in this build).
type Set struct {
	KV     map[string]kv.Namespace
	R2     map[string]r2.Bucket
	Queues map[string]queue.Producer
}

// errNoAWS names why a binding cannot be opened by this build.
var errNoAWS = errors.New("this bootstrap was built without AWS support (ferry build leaves it out for a Worker with no KV, R2 or queue binding): rebuild the package with ferry build --target lambda")

// Bindings returns an empty set for a Worker without KV, R2 or queue
// bindings, and an error otherwise.
func Bindings(ctx context.Context, getenv func(string) string, b manifest.Bindings, a *config.AWS) (Set, error) {
	if len(b.KVNamespaces) == 0 && len(b.R2Buckets) == 0 && len(b.QueueProducers) == 0 {
		return Set{}, nil
	}
	return Set{}, errNoAWS
}

// Config fails: this build has no AWS support.
func Config(ctx context.Context, a *config.AWS) (aws.Config, error) { return aws.Config{}, errNoAWS }

// NamedQueue is never made in this build.
type NamedQueue struct{ name string }

// Name is the SQS queue's name.
func (q *NamedQueue) Name() string { return q.name }
