package env_test

import (
	"testing"

	"github.com/ferry-run/ferry/core/assets"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/webapitest"
)

// TestAssetsJS runs testdata/assets/*.test.js with env.ASSETS over
// testdata/assets/site.
func TestAssetsJS(t *testing.T) {
	webapitest.Run(t, "testdata/assets/*.test.js", func(t *testing.T) *loop.Loop {
		s, err := assets.Load("testdata/assets/site", assets.Config{NotFoundHandling: "404-page"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return newRuntime(t, &env.Spec{Assets: s, AssetsBinding: "ASSETS", Vars: map[string]any{"ASSETS": "shadowed"}})
	})
}
