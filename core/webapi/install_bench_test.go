package webapi_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
)

// BenchmarkInstall is what each runtime of a Worker's pool pays for its Web
// APIs at start-up (a cold start pays it once, for the first runtime).
func BenchmarkInstall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		vm := goja.New()
		webapi.Install(loop.New(vm), webapi.Options{})
	}
}
