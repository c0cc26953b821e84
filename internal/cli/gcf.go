package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"text/template"
	"time"

	"github.com/ferry-run/ferry/adapters/gcf/gcfbuild"
	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/bundle"
)

// The gcf target is a Go module Cloud Functions builds from source:
//
//	go.mod, go.sum   module ferryworker; github.com/ferry-run/ferry replaced by ./ferry
//	function.go      package function: embeds worker/ and registers the functions in init
//	worker/          the bundle, its source maps and manifest.json
//	cmd/main.go      serves it locally: FUNCTION_TARGET=worker PORT=8080 go run ./cmd
//	ferry/           the ferry packages the function imports (a copy of this ferry's source)
//	vendor/          every dependency, so the build needs no network
//	README.md        the gcloud commands
const gcfModule = "ferryworker"

// buildGCF writes the gcf target into out.
func buildGCF(st *State, o *buildOptions, m *manifest.Manifest, b *bundle.Result, out, wd string, start time.Time) error {
	if !token.IsIdentifier(o.entry) {
		return &usageError{msg: fmt.Sprintf("--entry-point %q: want a Go identifier such as worker", o.entry), usage: buildUsage}
	}
	if err := gcfbuild.CheckBuild(m); err != nil {
		return err
	}
	m.Runtime, m.Handler = "gcf", o.entry
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("--target gcf vendors the function's dependencies with the Go toolchain, and no go is on PATH: %w", err)
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := lambdaadapter.WriteBundle(filepath.Join(out, "worker"), m, b); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	srcDir, cleanup, err := ferrySource(st, goTool, bi)
	if err != nil {
		return err
	}
	defer cleanup()
	goVersion, err := copyFerryPackages(st, goTool, srcDir, filepath.Join(out, "ferry"))
	if err != nil {
		return err
	}
	data := gcfTemplateData{Name: m.Name, Entry: o.entry, Events: o.entry + gcfbuild.EventsSuffix, Module: gcfModule, Go: goVersion,
		Runtime: "go" + strings.ReplaceAll(goMinor(goVersion), ".", ""), Version: Version, Crons: m.Crons, HasFetch: m.Has("fetch")}
	for _, c := range m.Consumers {
		data.Queues = append(data.Queues, c.Queue)
	}
	for name, tmpl := range map[string]*template.Template{"go.mod": gcfGoMod, "function.go": gcfFunction, "cmd/main.go": gcfMain, "README.md": gcfReadme, ".gcloudignore": gcfIgnore} {
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, data); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	// ferry's go.sum covers every module the function needs: tidy and
	// vendor from the module cache, offline.
	if err := copyPlain(filepath.Join(out, "ferry", "go.sum"), filepath.Join(out, "go.sum")); err != nil {
		return err
	}
	for _, args := range [][]string{{"mod", "tidy", "-e"}, {"mod", "vendor"}} {
		cmd := exec.CommandContext(st.Ctx, goTool, args...)
		cmd.Dir = out
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
		if outb, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go %s in %s (offline, from the module cache): %w\n%s", strings.Join(args, " "), out, err, outb)
		}
	}

	fmt.Fprintf(st.Stdout, "Built %s for Google Cloud Functions (%s) in %v: %s\n", m.Name, data.Runtime, time.Since(start).Round(time.Millisecond), relTo(wd, out))
	fmt.Fprintf(st.Stdout, "Entry points: %s (HTTP: fetch), %s (events: Pub/Sub, Cloud Scheduler, other CloudEvents)\n", data.Entry, data.Events)
	fmt.Fprintf(st.Stdout, "Deploy: see %s\n", relTo(wd, filepath.Join(out, "README.md")))
	return nil
}

type gcfTemplateData struct {
	Name, Entry, Events, Module, Go, Runtime, Version string
	Crons, Queues                                     []string
	HasFetch                                          bool
}

// goMinor is "1.26" of "1.26.8".
func goMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// copyFerryPackages copies the ferry packages adapters/gcf imports (Go and
// embedded files, no tests) and ferry's go.mod and go.sum from the module
// srcDir builds into dst, and returns ferry's go version.
func copyFerryPackages(st *State, goTool, srcDir, dst string) (string, error) {
	list := exec.CommandContext(st.Ctx, goTool, "list", "-deps", "-json", "github.com/ferry-run/ferry/adapters/gcf")
	list.Dir = srcDir
	list.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	list.Stderr = &stderr
	outb, err := list.Output()
	if err != nil {
		return "", fmt.Errorf("listing the ferry packages the function needs: %w\n%s", err, stderr.String())
	}
	var modDir, goVersion string
	dec := json.NewDecoder(bytes.NewReader(outb))
	for {
		var p struct {
			ImportPath, Dir                string
			GoFiles, EmbedFiles, OtherKeep []string
			SFiles                         []string
			Module                         *struct{ Path, Dir, GoVersion string }
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return "", fmt.Errorf("reading go list's output: %w", err)
		}
		if p.Module == nil || p.Module.Path != "github.com/ferry-run/ferry" {
			continue
		}
		modDir, goVersion = p.Module.Dir, p.Module.GoVersion
		rel, err := filepath.Rel(modDir, p.Dir)
		if err != nil {
			return "", err
		}
		for _, f := range append(append(p.GoFiles, p.SFiles...), p.EmbedFiles...) {
			if err := copyPlain(filepath.Join(p.Dir, f), filepath.Join(dst, rel, f)); err != nil {
				return "", fmt.Errorf("copying ferry's %s: %w", filepath.Join(rel, f), err)
			}
		}
	}
	if modDir == "" {
		return "", fmt.Errorf("go list found no ferry packages in %s", srcDir)
	}
	for _, f := range []string{"go.mod", "go.sum", "LICENSE"} {
		if err := copyPlain(filepath.Join(modDir, f), filepath.Join(dst, f)); err != nil && !(f == "LICENSE" && os.IsNotExist(err)) {
			return "", fmt.Errorf("copying ferry's %s: %w", f, err)
		}
	}
	if goVersion == "" {
		goVersion = "1.26"
	}
	return goVersion, nil
}

func copyPlain(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

var gcfGoMod = template.Must(template.New("go.mod").Parse(`module {{.Module}}

go {{.Go}}

require github.com/ferry-run/ferry v0.0.0-00010101000000-000000000000

// The ferry packages this function needs, copied from ferry {{.Version}}.
replace github.com/ferry-run/ferry => ./ferry
`))

var gcfFunction = template.Must(template.New("function.go").Parse(`// Package function is the Worker {{printf "%q" .Name}} as a Google Cloud Function
// (2nd gen), generated by ferry build --target gcf (ferry {{.Version}}).
//
// Entry points: {{.Entry}} (HTTP: the Worker's fetch) and {{.Events}} (CloudEvents:
// Pub/Sub messages to queue(), Cloud Scheduler jobs to scheduled(), other
// events to event()). See README.md.
package function

import (
	"embed"
	"io/fs"
	"log"

	"github.com/ferry-run/ferry/adapters/gcf"
)

//go:embed worker
var build embed.FS

func init() {
	files, err := fs.Sub(build, "worker")
	if err == nil {
		err = gcf.RegisterBuild({{printf "%q" .Entry}}, files)
	}
	if err != nil {
		log.Fatalf("ferry: starting the Worker: %v", err)
	}
}
`))

var gcfMain = template.Must(template.New("main.go").Parse(`// Command main serves the function locally the way Cloud Functions does:
//
//	FUNCTION_TARGET={{.Entry}} PORT=8080 go run ./cmd
//
// HOST (default: every interface) is the address to listen on.
package main

import (
	"log"
	"os"

	"github.com/ferry-run/ferry/adapters/gcf"

	_ "{{.Module}}"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := gcf.Serve(os.Getenv("HOST"), port); err != nil {
		log.Fatalf("serving the function: %v", err)
	}
}
`))

var gcfIgnore = template.Must(template.New(".gcloudignore").Parse(`.gcloudignore
.git
cmd/
`))

var gcfReadme = template.Must(template.New("README.md").Funcs(template.FuncMap{
	"slug": func(s string) string {
		return strings.Trim(regexp.MustCompile(`[^a-z0-9-]+`).ReplaceAllString(strings.ToLower(s), "-"), "-")
	},
	"inc": func(i int) int { return i + 1 },
}).Parse(`# {{.Name}} on Google Cloud Functions

Generated by ` + "`ferry build --target gcf`" + ` (ferry {{.Version}}). A Go module for
Cloud Functions (2nd gen, Cloud Run functions), runtime {{.Runtime}}: ` + "`function.go`" + `
registers two entry points from the embedded Worker (` + "`worker/`" + `):

| entry point | trigger | what runs |
|---|---|---|
| ` + "`{{.Entry}}`" + ` | HTTP | ` + "`fetch`" + ` |
| ` + "`{{.Events}}`" + ` | Pub/Sub topic, Eventarc, Cloud Scheduler | ` + "`queue`" + `, ` + "`scheduled`" + `, ` + "`event`" + ` |

Every dependency is in ` + "`vendor/`" + ` (ferry's own packages also in ` + "`ferry/`" + `):
` + "`go build ./...`" + ` works without network.

## Run it locally

    FUNCTION_TARGET={{.Entry}} PORT=8080 go run ./cmd
    curl http://localhost:8080/

## Deploy

Set ` + "`REGION`" + ` (e.g. us-central1). If {{.Runtime}} is not offered yet, use the newest Go runtime.
{{if .HasFetch}}
The HTTP function:

    gcloud functions deploy {{slug .Name}} --gen2 --runtime {{.Runtime}} --region $REGION \
      --source . --entry-point {{.Entry}} --trigger-http --allow-unauthenticated
{{end}}{{range .Queues}}
Queue consumer ` + "`{{.}}`" + `: messages published to the Pub/Sub topic ` + "`{{.}}`" + ` reach ` + "`queue()`" + `
one at a time (ack → done; retry or a throw → Pub/Sub delivers it again, with the
subscription's retry policy; set a dead-letter topic for max_retries):

    gcloud pubsub topics create {{.}}
    gcloud functions deploy {{slug $.Name}}-{{slug .}} --gen2 --runtime {{$.Runtime}} --region $REGION \
      --source . --entry-point {{$.Events}} --trigger-topic {{.}} --no-allow-unauthenticated

A message's ` + "`ferry-content-type`" + ` attribute (json, text, bytes, v8) says how to decode its
data; without it the body is text. A topic named otherwise maps to the queue with
` + "`--set-env-vars FERRY_QUEUES='{\"topic\":\"{{.}}\"}'`" + `.
{{end}}{{if .Crons}}
Cron triggers: one topic, one function on it, one Cloud Scheduler job per cron whose
message is ` + "`{\"ferry\":{\"cron\":\"EXPR\"}}`" + ` (event.cron is EXPR):

    gcloud pubsub topics create {{slug .Name}}-cron
    gcloud functions deploy {{slug .Name}}-cron --gen2 --runtime {{.Runtime}} --region $REGION \
      --source . --entry-point {{.Events}} --trigger-topic {{slug .Name}}-cron --no-allow-unauthenticated
{{range $i, $c := .Crons}}    gcloud scheduler jobs create pubsub {{slug $.Name}}-cron-{{inc $i}} --location $REGION --time-zone UTC \
      --schedule '{{$c}}' --topic {{slug $.Name}}-cron --message-body '{"ferry":{"cron":"{{$c}}"}}'
{{end}}
Cloud Scheduler reads unix cron: where an expression uses day-of-week numbers, Workers
count 1–7 from Sunday and unix 0–6: adjust --schedule (not the message).
{{end}}
## Environment

- vars: the wrangler config's, overridden by ` + "`FERRY_VAR_NAME=value`" + `;
- secrets: ` + "`FERRY_SECRET_NAME=value`" + `, or a ` + "`secrets.required`" + ` name set under its own name
  (` + "`--set-secrets NAME=projects/P/secrets/S:latest`" + `);
- logs are JSON lines Cloud Logging reads (severity, message).
`))
