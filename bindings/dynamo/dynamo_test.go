package dynamo_test

import (
	"testing"

	"github.com/ferry-run/ferry/bindings/dynamo"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/kv/kvtest"
)

func TestConformance(t *testing.T) {
	eachPeer(t, func(t *testing.T, p peer) {
		kvtest.Run(t, func(t *testing.T, now kv.Clock) kv.Namespace {
			return dynamo.New(p.db, p.fakeClockTable(t), dynamo.WithClock(now), dynamo.WithOverflow(p.s3, p.bucket(t)))
		})
	})
}
