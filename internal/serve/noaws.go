//go:build ferry_noaws

package serve

import (
	"context"
	"errors"
	"log/slog"

	httpadapter "github.com/ferry-run/ferry/adapters/http"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/config"
)

// sqsConsumers fails for a Worker with queue consumers: this build has no
// SQS client (ferry build leaves the AWS SDK out only for a Worker with no
// KV, R2 or queue binding).
func sqsConsumers(ctx context.Context, cfg *config.Worker, hold func() (*core.Worker, func()), log *slog.Logger) ([]*httpadapter.Consumer, error) {
	if len(cfg.Queues.Consumers) == 0 {
		return nil, nil
	}
	return nil, errors.New("this ferry was built without AWS support (ferry build leaves it out for a Worker with no KV, R2 or queue binding): rebuild with ferry build --target container")
}
