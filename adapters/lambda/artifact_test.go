package lambdaadapter_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
)

// TestArtifactKeepsStackPositions checks the source map shipped in the
// package: a Worker loaded from it reports the same source-mapped stack as
// the freshly built one, naming the original file, line and column.
func TestArtifactKeepsStackPositions(t *testing.T) {
	abs, _ := filepath.Abs("testdata/worker/index.js")
	b, err := bundle.Build(bundle.Options{Entry: abs})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := core.New(core.Options{Bundle: b, Runtimes: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	loaded := loadWorker(t, "testdata/worker/index.js", nil)

	stack := func(w *core.Worker) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := w.Fetch(ctx, &core.Request{Method: "GET", URL: "https://example.com/throw", Header: http.Header{}})
		var se *core.ScriptError
		if !errors.As(err, &se) || se.Stack == "" {
			t.Fatalf("want a ScriptError with a stack, got %v", err)
		}
		return se.Stack
	}
	want, got := stack(fresh), stack(loaded)
	if got != want {
		t.Fatalf("stack from the package:\n%s\nwant (fresh build):\n%s", got, want)
	}
	if !strings.Contains(got, "index.js:29:") {
		t.Fatalf("stack does not point at index.js line 29:\n%s", got)
	}
}
