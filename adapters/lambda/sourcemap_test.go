package lambdaadapter_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
)

// buildTSArtifact writes a TypeScript Worker whose fetch throws on line 6 of
// src/index.ts and packages it as ferry build does (the Lambda package, which
// is also the container image's app/ directory).
func buildTSArtifact(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := "type Env = {};\n" +
		"const pad: number = 1;\n" +
		"export default {\n" +
		"  async fetch(req: Request, env: Env): Promise<Response> {\n" +
		"    const n: number = pad + 1;\n" +
		"    throw new Error(\"ts boom \" + n);\n" +
		"  },\n" +
		"};\n"
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "src", "index.ts")
	if err := os.WriteFile(entry, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Build(bundle.Options{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	boot := filepath.Join(dir, "fake-bootstrap")
	if err := os.WriteFile(boot, []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "pkg")
	m := &manifest.Manifest{Name: "ts", Format: b.Format.String(), Handlers: []string{"fetch"}}
	if _, err := lambdaadapter.WriteArtifact(pkg, m, b, boot); err != nil {
		t.Fatal(err)
	}
	return pkg
}

// TestArtifactStackNamesTypeScript checks that a Worker loaded from a built
// package (what ferry serve BUILD and the Lambda bootstrap run) reports an
// uncaught error at the TypeScript file and line, not the bundle's.
func TestArtifactStackNamesTypeScript(t *testing.T) {
	pkg := buildTSArtifact(t)
	_, lb, err := lambdaadapter.LoadArtifact(pkg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := core.New(core.Options{Bundle: lb, Runtimes: 1, WallLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = w.Fetch(ctx, &core.Request{Method: "GET", URL: "https://example.com/", Header: http.Header{}})
	var se *core.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("want a ScriptError, got %v", err)
	}
	if !strings.Contains(se.Stack, "ts boom 2") || !strings.Contains(se.Stack, "src/index.ts:6:") {
		t.Fatalf("stack does not point at src/index.ts line 6:\n%s", se.Stack)
	}
	if strings.Contains(se.Stack, "worker.js:") {
		t.Fatalf("stack names the bundle, not the source:\n%s", se.Stack)
	}
}

// TestArtifactMalformedSourceMap pins what a damaged engine map does today:
// loading the package fails with an error naming the map, rather than serving
// a Worker whose stacks would silently name the bundle.
func TestArtifactMalformedSourceMap(t *testing.T) {
	pkg := buildTSArtifact(t)
	if err := os.WriteFile(filepath.Join(pkg, manifest.EngineMap), []byte(`{"version":3,"sources":["a"],"mappings":"!!!"`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := lambdaadapter.LoadArtifact(pkg)
	if err == nil || !strings.Contains(err.Error(), manifest.EngineMap) {
		t.Fatalf("LoadArtifact with a malformed %s: got %v, want an error naming it", manifest.EngineMap, err)
	}
}
