package awsplan

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/config"
)

func testManifest() *manifest.Manifest {
	return &manifest.Manifest{
		Schema: manifest.Schema, Name: "app", Format: "module", Bundle: manifest.BundleFile,
		Handlers: []string{"fetch", "queue"}, Secrets: []string{"API_KEY"},
		Bindings: manifest.Bindings{
			KVNamespaces:   []config.KVNamespace{{Binding: "CACHE"}},
			R2Buckets:      []config.R2Bucket{{Binding: "FILES"}},
			QueueProducers: []config.QueueProducer{{Binding: "JOBS", Queue: "jobs"}},
		},
		Consumers: []manifest.Consumer{{Queue: "jobs", MaxBatchSize: 5}, {Queue: "mail", MaxBatchSize: 5}},
	}
}

func goodWiring() Wiring {
	return Wiring{
		KV:      map[string]string{"CACHE": "prod-cache"},
		R2:      map[string]string{"FILES": "prod-files"},
		Queues:  map[string]string{"jobs": "prod-jobs", "mail": "mail"},
		Secrets: map[string]string{"API_KEY": "s3cret"},
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	if ps := goodWiring().Check(testManifest()); len(ps) != 0 {
		t.Fatalf("good wiring: %+v", ps)
	}
	tests := []struct {
		name   string
		edit   func(*Wiring)
		attr   string
		detail string
	}{
		{"missing kv", func(w *Wiring) { delete(w.KV, "CACHE") }, "kv_namespaces",
			`The build declares the KV binding "CACHE", but kv_namespaces has no entry for it. Add CACHE = <name> to kv_namespaces.`},
		{"unknown kv", func(w *Wiring) { w.KV["CACH"] = "x-table" }, "kv_namespaces",
			`kv_namespaces["CACH"]: the build has no KV binding "CACH" (it has CACHE).`},
		{"bad table", func(w *Wiring) { w.KV["CACHE"] = "a" }, "kv_namespaces", `kv_namespaces["CACHE"]: DynamoDB table name "a" is 1 characters`},
		{"missing r2", func(w *Wiring) { w.R2 = nil }, "r2_buckets", `The build declares the R2 binding "FILES"`},
		{"bad bucket", func(w *Wiring) { w.R2["FILES"] = "Prod_Files" }, "r2_buckets", `r2_buckets["FILES"]: S3 bucket name "Prod_Files"`},
		{"missing consumer queue", func(w *Wiring) { delete(w.Queues, "mail") }, "queues", `The build declares the queue "mail"`},
		{"unknown queue", func(w *Wiring) { w.Queues["other"] = "other" }, "queues", `queues["other"]: the build has no queue "other" (it has jobs, mail).`},
		{"fifo", func(w *Wiring) { w.Queues["jobs"] = "jobs.fifo" }, "queues", `queues["jobs"]: SQS queue name "jobs.fifo" ends in .fifo`},
		{"missing secret", func(w *Wiring) { w.Secrets = nil }, "secrets", `The build requires the secret "API_KEY"`},
		{"bad var", func(w *Wiring) { w.Vars = map[string]string{"A-B": "x"} }, "vars", `binding name "A-B"`},
		{"bad overflow", func(w *Wiring) { w.OverflowBucket = "X" }, "kv_overflow_bucket", `S3 bucket name "X"`},
	}
	for _, tt := range tests {
		w := goodWiring()
		tt.edit(&w)
		ps := w.Check(testManifest())
		if len(ps) != 1 {
			t.Errorf("%s: %d problems, want 1: %+v", tt.name, len(ps), ps)
			continue
		}
		if p := ps[0]; p.Severity != Error || p.Attr != tt.attr || !strings.HasPrefix(p.Detail, tt.detail) {
			t.Errorf("%s: got %+v\nwant error on %s: %s", tt.name, p, tt.attr, tt.detail)
		}
	}
}

func TestCheckUnsupportedBindingsWarn(t *testing.T) {
	t.Parallel()
	m := testManifest()
	m.Bindings.D1Databases = []manifest.D1Database{{Binding: "DB"}}
	ps := goodWiring().Check(m)
	if len(ps) != 1 || ps[0].Severity != Warning || !strings.Contains(ps[0].Detail, "1 D1 binding(s)") {
		t.Errorf("got %+v, want one warning about D1", ps)
	}
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	w := goodWiring()
	w.OverflowBucket = "kv-big"
	w.InvokeMode = "RESPONSE_STREAM"
	w.Vars = map[string]string{"GREETING": "hi"}
	env, err := w.Environment(testManifest(), map[string]string{"prod-jobs": "http://sqs/123/prod-jobs"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"FERRY_KV_CACHE":           "prod-cache",
		"FERRY_KV_OVERFLOW_BUCKET": "kv-big",
		"FERRY_R2_FILES":           "prod-files",
		"FERRY_QUEUE_JOBS":         "http://sqs/123/prod-jobs",
		"FERRY_QUEUES":             `{"prod-jobs":"jobs"}`,
		"FERRY_INVOKE_MODE":        "RESPONSE_STREAM",
		"FERRY_VAR_GREETING":       "hi",
		"FERRY_SECRET_API_KEY":     "s3cret",
	}
	if len(env) != len(want) {
		t.Errorf("env = %v, want %v", env, want)
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}

	w.Vars["BIG"] = strings.Repeat("x", MaxEnvironmentBytes)
	if _, err := w.Environment(testManifest(), map[string]string{"prod-jobs": "u"}); err == nil || !strings.Contains(err.Error(), "over Lambda's limit of 4096 bytes") {
		t.Errorf("oversized environment: %v", err)
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	g := goodWiring().Grants(testManifest(), "app")
	if strings.Join(g.Tables, ",") != "prod-cache" || strings.Join(g.Buckets, ",") != "prod-files" ||
		strings.Join(g.Producers, ",") != "prod-jobs" || strings.Join(g.Consumers, ",") != "prod-jobs,mail" {
		t.Errorf("grants = %+v", g)
	}
}

// writeZip writes a zip with the given files.
func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestReadArtifact(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mj, err := testManifest().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "lambda.zip")
	writeZip(t, zipPath, map[string]string{"manifest.json": string(mj), "worker.js": "export default {}"})
	a, err := ReadArtifact(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Name != "app" || len(a.SHA256) != 44 || a.Size == 0 {
		t.Errorf("artifact = %+v", a)
	}
	// The build directory stands for the zip next to it.
	os.Mkdir(filepath.Join(dir, "lambda"), 0o755)
	if b, err := ReadArtifact(filepath.Join(dir, "lambda")); err != nil || b.SHA256 != a.SHA256 {
		t.Errorf("ReadArtifact(dir) = %+v, %v", b, err)
	}

	noManifest := filepath.Join(dir, "other.zip")
	writeZip(t, noManifest, map[string]string{"index.js": ""})
	if _, err := ReadArtifact(noManifest); err == nil || !strings.Contains(err.Error(), "has no manifest.json at its root (it has index.js)") {
		t.Errorf("zip without manifest: %v", err)
	}
	if _, err := ReadArtifact(filepath.Join(dir, "missing.zip")); err == nil || !strings.Contains(err.Error(), "ferry build --target lambda") {
		t.Errorf("missing zip: %v", err)
	}
	bad := filepath.Join(dir, "bad.zip")
	writeZip(t, bad, map[string]string{"manifest.json": `{"schema":"ferry.lambda/v0"}`})
	if _, err := ReadArtifact(bad); err == nil || !strings.Contains(err.Error(), "rebuild with") {
		t.Errorf("old manifest: %v", err)
	}
}
