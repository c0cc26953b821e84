package webapi_test

import (
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/webapitest"
)

// TestJS runs every testdata/*.test.js file in a runtime with every Web API
// installed, as Workers and `ferry run` get them.
func TestJS(t *testing.T) {
	webapitest.Run(t, "testdata/*.test.js", func(t *testing.T) *loop.Loop {
		l := loop.New(goja.New())
		webapi.Install(l, webapi.Options{Console: func(level, line string) {
			t.Log(level + ": " + strings.TrimSpace(line))
		}})
		return l
	})
}
