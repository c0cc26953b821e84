package cache_test

import (
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/kv/kvtest"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi"
	"github.com/ferry-run/ferry/core/webapi/webapitest"
)

// TestJS runs testdata/*.test.js with caches over an in-memory local store
// on a fake clock; advanceClock(seconds) moves it.
func TestJS(t *testing.T) {
	webapitest.Run(t, "testdata/*.test.js", func(t *testing.T) *loop.Loop {
		clock := kvtest.NewClock(time.Unix(1_700_000_000, 0))
		st, err := local.Open("", local.WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		c, err := st.Cache()
		if err != nil {
			t.Fatal(err)
		}
		vm := goja.New()
		l := loop.New(vm)
		webapi.Install(l, webapi.Options{Cache: c, Console: func(level, line string) { t.Log(level + ": " + line) }})
		_ = vm.Set("advanceClock", func(s float64) { clock.Advance(time.Duration(s * float64(time.Second))) })
		return l
	})
}

// TestNoStore: without a store the API exists and stores nothing.
func TestNoStore(t *testing.T) {
	webapitest.Run(t, "testdata/nostore/*.test.js", func(t *testing.T) *loop.Loop {
		l := loop.New(goja.New())
		webapi.Install(l, webapi.Options{})
		return l
	})
}
