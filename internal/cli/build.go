package cli

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/config"
	"github.com/ferry-run/ferry/core/env"
)

const buildUsage = `Usage: ferry build --target lambda|container|gcf [DIR] [flags]

Builds the Worker in DIR (default: the current directory) for a host.

--target lambda writes an AWS Lambda package for the provided.al2023 runtime
to --out (default DIR/.ferry/lambda) and zips it to the same path + ".zip":
  bootstrap        the ferry binary for linux/<arch>: Lambda runs it, and it
                   runs the Worker
  worker.js        the bundled Worker, with worker.js.map (source map) and
                   worker.goja.map (the same, in the form the engine reads)
  manifest.json    name, handlers, vars, required secrets, bindings, crons and
                   queue consumers: what the Terraform provider deploys

--target container writes a container image context to --out (default
DIR/.ferry/container): ferry (a static linux/<arch> binary of ferry serve
alone), app/ (the bundle and manifest.json, as above) and a Dockerfile
running ferry serve /app as a non-root user.

--target gcf writes a Go module for Google Cloud Functions (2nd gen) to --out
(default DIR/.ferry/gcf): a package registering the HTTP function
--entry-point (default worker) and the event function worker + "Events", the
bundle embedded, every dependency (ferry too) vendored so it builds without
network, cmd/ to run it locally, and a README with the gcloud commands.

Inside the ferry source tree (or a module requiring ferry), with go on
PATH, ferry cross-compiles the binary the target needs: for --target lambda
the Lambda runtime alone (cmd/bootstrap), for containers ferry serve alone
(cmd/serve); without the CLI's other commands they are smaller binaries that
start faster, and without the AWS SDK when the Worker has no KV, R2 or queue
binding. Elsewhere the bootstrap is this ferry binary when it is a statically
linked linux/<arch> build, else a cross-compile of this ferry's release. Or
it takes --bootstrap FILE.

Flags:
`

type buildOptions struct {
	target    string
	out       string
	arch      string
	main      string
	envName   string
	bootstrap string
	entry     string
}

func buildFlags(st *State) (*flag.FlagSet, *buildOptions) {
	o := &buildOptions{}
	fs := newFlagSet(st, "build", buildUsage)
	fs.StringVar(&o.target, "target", "", "what to build for: lambda, container or gcf")
	fs.StringVar(&o.out, "out", "", "output directory (default DIR/.ferry/<target>)")
	fs.StringVar(&o.arch, "arch", "x86_64", "architecture: x86_64 (or amd64) or arm64")
	fs.StringVar(&o.main, "main", "", "entry file, instead of main from the wrangler config")
	fs.StringVar(&o.envName, "env", "", "wrangler environment ([env.NAME]) to build")
	fs.StringVar(&o.bootstrap, "bootstrap", "", "use this linux ferry binary (the bootstrap, or the container's ferry) instead of building one")
	fs.StringVar(&o.entry, "entry-point", "worker", "gcf: the HTTP function's entry point (the event function's is this + \"Events\")")
	return fs, o
}

func runBuild(st *State, args []string) error {
	fs, o := buildFlags(st)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error(), usage: buildUsage}
	}
	if len(pos) > 1 {
		return &usageError{msg: "ferry build takes one directory, got " + strings.Join(pos, " "), usage: buildUsage}
	}
	switch o.target {
	case "lambda", "container", "gcf":
	case "":
		return &usageError{msg: "ferry build needs --target (lambda, container or gcf)", usage: buildUsage}
	default:
		return &usageError{msg: fmt.Sprintf("unknown --target %q (want lambda, container or gcf)", o.target), usage: buildUsage}
	}
	goarch, ok := map[string]string{"x86_64": "amd64", "amd64": "amd64", "arm64": "arm64"}[o.arch]
	if !ok {
		return &usageError{msg: fmt.Sprintf("--arch %q: want x86_64 or arm64", o.arch), usage: buildUsage}
	}
	if o.arch == "amd64" {
		o.arch = "x86_64" // the manifest uses Lambda's names
	}
	wd, err := st.Getwd()
	if err != nil {
		return err
	}
	dir := wd
	if len(pos) == 1 {
		dir = absFrom(wd, pos[0])
	}
	out := absIf(wd, o.out)
	if out == "" {
		out = filepath.Join(dir, ".ferry", o.target)
	}
	log := slog.New(newLogHandler(st.Stderr, slog.LevelWarn))
	start := time.Now()

	p, err := loadProject(st, dir, absIf(wd, o.main), o.envName, log)
	if err != nil {
		return err
	}
	bopts := bundle.Options{Entry: p.entry, Dir: p.rootDir()}
	if p.cfg != nil {
		bopts.Define = p.cfg.Define
	}
	b, err := bundle.Build(bopts)
	if err != nil {
		return err
	}
	for _, w := range b.Warnings {
		fmt.Fprintf(st.Stderr, "ferry: warning: %s\n", w)
	}
	m, err := lambdaManifest(p, b, o.arch)
	if err != nil {
		return err
	}
	if p.cfg != nil && p.cfg.Assets != nil {
		// Building without them would deploy a Worker that silently 404s
		// (or reaches the Worker) where the site's files should be.
		return fmt.Errorf("--target %s does not carry static assets (assets.directory) yet: serve the project directory with ferry serve instead", o.target)
	}
	switch o.target {
	case "container":
		return buildContainer(st, o, m, b, goarch, out, wd, start)
	case "gcf":
		return buildGCF(st, o, m, b, out, wd, start)
	}
	tags := bootstrapTags
	if !needsAWS(m) {
		tags += "," + noAWSTag
	}
	boot, how, err := lambdaBootstrap(st, o.bootstrap, goarch, out, bootstrapPkg, tags)
	if err != nil {
		return err
	}
	art, err := lambdaadapter.WriteArtifact(out, m, b, boot)
	if err != nil {
		return err
	}

	fmt.Fprintf(st.Stdout, "Built %s for AWS Lambda (%s, %s) in %v:\n", m.Name, manifest.Runtime, o.arch, time.Since(start).Round(time.Millisecond))
	for _, f := range art.Files {
		note := ""
		if f.Name == manifest.BootstrapExe {
			note = "  " + how
		}
		fmt.Fprintf(st.Stdout, "  %-52s %10s%s\n", relTo(wd, filepath.Join(art.Dir, f.Name)), sizeText(f.Size), note)
	}
	fmt.Fprintf(st.Stdout, "  %-52s %10s  (deploy this)\n", relTo(wd, art.Zip), sizeText(art.ZipSize))
	fmt.Fprintf(st.Stdout, "Handlers: %s\n", strings.Join(m.Handlers, ", "))
	if len(m.Crons) > 0 {
		fmt.Fprintf(st.Stdout, "Cron triggers: %s\n", strings.Join(quoteAll(m.Crons), ", "))
	}
	for _, c := range m.Consumers {
		fmt.Fprintf(st.Stdout, "Queue consumer: %s\n", c.Queue)
	}
	return nil
}

// lambdaManifest describes the build. It starts the Worker once (one
// runtime, no secrets) to check that its top level runs and to see which
// handlers it exports.
func lambdaManifest(p *project, b *bundle.Result, arch string) (*manifest.Manifest, error) {
	m := &manifest.Manifest{
		FerryVersion: Version,
		Format:       b.Format.String(),
		Architecture: arch,
		Name:         strings.TrimSuffix(filepath.Base(p.entry), filepath.Ext(p.entry)),
		Entry:        relTo(p.rootDir(), p.entry),
	}
	spec := &env.Spec{}
	if c := p.cfg; c != nil {
		m.Name = c.Name
		m.CompatibilityDate, m.CompatibilityFlags = c.CompatibilityDate, c.CompatibilityFlags
		m.Vars, m.Secrets = c.Vars, c.SecretsRequired
		m.Limits = manifest.Limits{CPUMs: c.Limits.CPUMs, Subrequests: c.Limits.Subrequests, AllowPrivateFetch: c.Ferry.AllowPrivateFetch}
		m.Crons = c.Triggers.Crons
		m.AWS = c.Ferry.AWS
		m.Bindings = manifest.Bindings{
			KVNamespaces: c.KVNamespaces, R2Buckets: c.R2Buckets, QueueProducers: c.Queues.Producers,
			DurableObjects: c.DurableObjects.Bindings, Services: c.Services,
		}
		for _, d := range c.D1Databases {
			m.Bindings.D1Databases = append(m.Bindings.D1Databases, manifest.D1Database{
				Binding: d.Binding, DatabaseName: d.DatabaseName, DatabaseID: d.DatabaseID,
				MigrationsDir: relTo(c.Dir, d.MigrationsDir), MigrationsTable: d.MigrationsTable,
			})
		}
		for _, q := range c.Queues.Consumers {
			m.Consumers = append(m.Consumers, resolveConsumer(q))
		}
		spec.Vars = c.Vars
	}
	w, err := core.New(core.Options{Bundle: b, Runtimes: 1, Env: spec})
	if err != nil {
		return nil, fmt.Errorf("the Worker does not start: %w", err)
	}
	defer w.Close()
	for _, kind := range []string{"fetch", "scheduled", "queue"} {
		if w.HasHandler(kind) {
			m.Handlers = append(m.Handlers, kind)
		}
	}
	if len(m.Handlers) == 0 {
		return nil, errors.New("the Worker handles no event: export default { fetch, scheduled or queue }")
	}
	if len(m.Crons) > 0 && !w.HasHandler("scheduled") {
		return nil, errors.New("triggers.crons is set but the Worker has no scheduled() handler")
	}
	if len(m.Consumers) > 0 && !w.HasHandler("queue") {
		return nil, errors.New("queues.consumers is set but the Worker has no queue() handler")
	}
	return m, nil
}

func resolveConsumer(q config.QueueConsumer) manifest.Consumer {
	c := manifest.Consumer{
		Queue: q.Queue, MaxBatchSize: q.BatchSize(), MaxBatchTimeout: q.BatchTimeout().Seconds(),
		MaxRetries: q.Retries(), DeadLetterQueue: q.DeadLetterQueue, RetryDelay: int(q.RetryDelayDuration().Seconds()),
	}
	if q.MaxConcurrency != nil {
		c.MaxConcurrency = *q.MaxConcurrency
	}
	return c
}

// The binaries lambdaBootstrap cross-compiles: the Lambda runtime alone (internal/lambdaboot), which leaves out the CLI, esbuild and
// SQLite, or ferry serve alone (internal/serve, a container image's
// /ferry), which leaves out the CLI and esbuild: both start faster than
// ferry.
const (
	bootstrapPkg = "github.com/ferry-run/ferry/cmd/bootstrap"
	servePkg     = "github.com/ferry-run/ferry/cmd/serve"
)

// bootstrapTags are the build tags of every cmd/bootstrap: lambda.norpc
// leaves out aws-lambda-go's RPC mode (the retired go1.x runtime's
// _LAMBDA_SERVER_PORT), which the custom runtime never uses and which links
// net/rpc, encoding/gob and html/template (0.7 MB of binary, 580 allocations
// of package init).
const bootstrapTags = "lambda.norpc"

// noAWSTag builds cmd/bootstrap without the AWS SDK (internal/awsbind):
// for a Worker with no KV, R2 or queue binding, whose runtime never makes an
// AWS client, the SDK's package initialization is most of what is left of a
// cold start before main (measured on examples/hello: 0.75 MB and 6,230
// allocations of package init instead of 2.03 MB and 15,012).
const noAWSTag = "ferry_noaws"

// needsAWS reports whether the Worker's runtime on Lambda may use an AWS
// client: KV, R2 and queue producers map to DynamoDB, S3 and SQS, queue
// consumers retry through SQS.
func needsAWS(m *manifest.Manifest) bool {
	b := m.Bindings
	return len(b.KVNamespaces) > 0 || len(b.R2Buckets) > 0 || len(b.QueueProducers) > 0 || len(m.Consumers) > 0
}

// lambdaBootstrap returns the path of a ferry binary for linux/goarch and
// how it was obtained, first that applies:
//
//   - --bootstrap (explicit);
//   - a cross-compile of pkg (bootstrapPkg or servePkg) into out,
//     with the build tags tags ("" for none), when a Go toolchain is on PATH
//     and the working directory is inside the ferry module (or a module
//     requiring it): the binary made for the target, from the source at
//     hand;
//   - this binary, when it is a static linux/goarch ferry (it can run as
//     the bootstrap and as ferry serve);
//   - a cross-compile of this ferry's released version, fetched into a
//     temporary module.
func lambdaBootstrap(st *State, explicit, goarch, out, pkg, tags string) (string, string, error) {
	if explicit != "" {
		if err := checkLinuxBinary(explicit, goarch); err != nil {
			return "", "", fmt.Errorf("--bootstrap %s: %w", explicit, err)
		}
		return explicit, "(--bootstrap)", nil
	}
	bi, _ := debug.ReadBuildInfo()
	goTool, goErr := exec.LookPath("go")
	if goErr == nil {
		if dir, ok := localSource(st, goTool); ok {
			return crossCompile(st, goTool, dir, goarch, out, pkg, tags)
		}
	}
	self, err := os.Executable()
	if err == nil && runtime.GOOS == "linux" && runtime.GOARCH == goarch && isStaticFerry(bi, self) {
		return self, "(this ferry binary)", nil
	}
	if goErr != nil {
		return "", "", fmt.Errorf("this ferry is not a static linux/%s build and no Go toolchain is on PATH to cross-compile one: install Go, or build it elsewhere with\n  CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -o bootstrap %s\nand pass --bootstrap bootstrap", goarch, goarch, pkg)
	}
	srcDir, cleanup, err := ferrySource(st, goTool, bi)
	if err != nil {
		return "", "", err
	}
	defer cleanup()
	return crossCompile(st, goTool, srcDir, goarch, out, pkg, tags)
}

// crossCompile builds pkg for linux/goarch in srcDir into out.
func crossCompile(st *State, goTool, srcDir, goarch, out, pkg, tags string) (string, string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", "", err
	}
	dst := filepath.Join(out, manifest.BootstrapExe)
	version := "github.com/ferry-run/ferry/internal/cli.Version"
	switch pkg {
	case bootstrapPkg:
		version = "github.com/ferry-run/ferry/internal/lambdaboot.Version"
	case servePkg:
		version = "github.com/ferry-run/ferry/internal/serve.Version"
	}
	ldflags := "-s -w -X " + version + "=" + Version
	// No -trimpath: the build then reuses packages already in the Go build
	// cache (a trimmed build recompiles every package once, minutes here).
	args := []string{"build", "-ldflags", ldflags, "-o", dst}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(st.Ctx, goTool, append(args, pkg)...)
	cmd.Dir = srcDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("cross-compiling the bootstrap (go build for linux/%s in %s): %w\n%s", goarch, srcDir, err, stderr.String())
	}
	return dst, fmt.Sprintf("(cross-compiled for linux/%s)", goarch), nil
}

// isStaticFerry reports whether the binary at path is the ferry command
// and statically linked (no ELF interpreter: a cgo build loads glibc), so
// that it runs on Lambda's minimal image as it is.
func isStaticFerry(bi *debug.BuildInfo, path string) bool {
	if bi == nil || bi.Path != "github.com/ferry-run/ferry/cmd/ferry" {
		return false
	}
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// ferrySource finds a directory where `go build
// github.com/ferry-run/ferry/cmd/ferry` builds this ferry: the working
// directory when it is inside the ferry module (or a module requiring it),
// else a temporary module requiring this binary's released version.
func ferrySource(st *State, goTool string, bi *debug.BuildInfo) (string, func(), error) {
	if dir, ok := localSource(st, goTool); ok {
		return dir, func() {}, nil
	}
	version := ""
	if bi != nil && bi.Main.Path == "github.com/ferry-run/ferry" && strings.HasPrefix(bi.Main.Version, "v") {
		version = bi.Main.Version
	}
	if version == "" {
		return "", nil, errors.New("cannot cross-compile the bootstrap: this ferry is a development build and the working directory is not inside the ferry module; run ferry build from the ferry source tree, or pass --bootstrap FILE")
	}
	tmp, err := os.MkdirTemp("", "ferry-bootstrap-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	gomod := fmt.Sprintf("module ferrybootstrap\n\ngo %s\n", strings.TrimPrefix(runtime.Version(), "go"))
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte(gomod), 0o644); err != nil {
		cleanup()
		return "", nil, err
	}
	get := exec.CommandContext(st.Ctx, goTool, "get", "github.com/ferry-run/ferry@"+version)
	get.Dir = tmp
	if outb, err := get.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("fetching ferry %s to cross-compile the bootstrap: %w\n%s", version, err, outb)
	}
	return tmp, cleanup, nil
}

// localSource returns the working directory when `go build
// github.com/ferry-run/ferry/...` builds there: it is inside the ferry module
// or a module requiring it.
func localSource(st *State, goTool string) (string, bool) {
	wd, err := st.Getwd()
	if err != nil {
		return "", false
	}
	q := exec.CommandContext(st.Ctx, goTool, "list", "-m", "-json", "github.com/ferry-run/ferry")
	q.Dir = wd
	outb, err := q.Output()
	if err != nil {
		return "", false
	}
	var mod struct{ Dir string }
	if json.Unmarshal(outb, &mod) != nil || mod.Dir == "" {
		return "", false
	}
	return wd, true
}

// checkLinuxBinary checks that path is a Linux executable for goarch.
func checkLinuxBinary(path, goarch string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("not a Linux executable: %w", err)
	}
	defer f.Close()
	want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
	if f.Machine != want {
		return fmt.Errorf("built for %v, not %v", f.Machine, want)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("not an executable (%v)", f.Type)
	}
	return nil
}

func relTo(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
