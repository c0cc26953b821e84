package core_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

// New returns once one runtime ran the top level; the others start after.
// An object's events right after New must still all reach one instance:
// its in-memory count goes 1, 2, ... n with no value twice.
func TestDurableObjectRoutingWhileThePoolStarts(t *testing.T) {
	dir := t.TempDir()
	entry := filepath.Join(dir, "worker.js")
	writeFile(t, entry, `import { DurableObject } from "cloudflare:workers";
export class Hits extends DurableObject {
  hit() { this.hits = (this.hits ?? 0) + 1; return this.hits; }
}
export default {
  async fetch(request, env) {
    const name = new URL(request.url).searchParams.get("name");
    return new Response(String(await env.HITS.getByName(name).hit()));
  },
};
`)
	st, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for round := range 3 {
		spec := &env.Spec{DurableObjects: map[string]*env.DurableObjectNamespace{"HITS": {Namespace: fmt.Sprint("hits-", round), Class: "Hits"}}}
		f := newWorker(t, entry, core.Options{Env: spec, ObjectStore: st.DurableObjects(), Runtimes: 4})
		const names, hits = 8, 6
		got := make([][]int, names)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for n := range names {
			for range hits {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := f.do(t, "GET", fmt.Sprintf("/?name=o%d", n), "")
					var v int
					if _, err := fmt.Sscan(r.body, &v); r.err != nil || r.status != 200 || err != nil {
						t.Errorf("o%d: %d %q %v", n, r.status, r.body, r.err)
						return
					}
					mu.Lock()
					got[n] = append(got[n], v)
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		for n, vs := range got {
			slices.Sort(vs)
			if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(vs, want) {
				t.Errorf("round %d, object o%d counted %v; want %v (one instance)", round, n, vs, want)
			}
		}
		f.w.Close()
	}
}

// The first runtime installs the Web APIs while the bundle compiles; a bundle
// that does not compile still fails New with the compiler's error.
func TestCompileErrorFailsNew(t *testing.T) {
	for _, runtimes := range []int{1, 3} {
		_, err := core.New(core.Options{Bundle: &bundle.Result{Code: []byte("export default {")}, Runtimes: runtimes})
		if err == nil || !strings.Contains(err.Error(), "compiling the bundle") {
			t.Fatalf("runtimes %d: err = %v", runtimes, err)
		}
	}
}
