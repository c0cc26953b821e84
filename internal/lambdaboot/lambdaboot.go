// Package lambdaboot is ferry as a Lambda custom runtime (provided.al2023):
// it loads the package ferry build --target lambda wrote, starts the Worker
// and serves invocations. The ferry binary runs it when
// AWS_LAMBDA_RUNTIME_API is set (internal/cli); cmd/bootstrap is a binary
// that does only this, without the CLI's commands, esbuild, SQLite and the
// rest: what a Lambda cold start pays to load and initialize is the binary
// (measured: about 12 ms less CPU from exec to ready for a hello Worker).
package lambdaboot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	lambdaadapter "github.com/ferry-run/ferry/adapters/lambda"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/env"
	"github.com/ferry-run/ferry/internal/awsbind"
	"github.com/ferry-run/ferry/internal/logtext"
)

// Version is the bootstrap's version when it is cmd/bootstrap, set at build
// time with -ldflags "-X github.com/ferry-run/ferry/internal/lambdaboot.Version=v1.2.3".
var Version = "dev"

// Options is the process the runtime runs in: environment, stderr, version.
type Options struct {
	Getenv  func(string) string
	Environ func() []string
	Stderr  io.Writer
	Version string
}

// Main runs the runtime in this process (cmd/bootstrap) and returns the
// exit code: it returns only when the Worker failed to start.
func Main() int {
	o := Options{Getenv: os.Getenv, Environ: os.Environ, Stderr: os.Stderr, Version: Version}
	if err := Run(o); err != nil {
		fmt.Fprintf(os.Stderr, "ferry: %v\n", err)
		return 1
	}
	return 0
}

// CPULimit is the CPU limit of an event on Lambda when the Worker sets
// none (limits.cpu_ms): Cloudflare's default on the Standard plan. Lambda's
// own timeout bounds the wall clock.
const CPULimit = 30 * time.Second

// Run is ferry as a Lambda custom runtime, run as `bootstrap` with
// AWS_LAMBDA_RUNTIME_API set: it loads the package built by `ferry build
// --target lambda` from its own directory, compiles the Worker once into
// exactly one runtime (Lambda sends an instance one event at a time), and
// serves invocations until Lambda ends the process.
func Run(st Options) error {
	start := time.Now()
	api := st.Getenv("AWS_LAMBDA_RUNTIME_API")
	log := slog.New(logtext.New(st.Stderr, slog.LevelInfo))
	setMemoryLimit(st)
	// No garbage collection while the Worker loads: init allocates a few
	// megabytes (the parsed bundle, the runtime) and a cold start would wait
	// for each cycle; the memory limit still applies.
	gc := debug.SetGCPercent(-1)
	h, err := Handler(st, lambdaDir(st), log)
	debug.SetGCPercent(gc)
	if err != nil {
		if rerr := lambdaadapter.ReportInitError(api, err); rerr != nil {
			log.Error(rerr.Error())
		}
		return err
	}
	log.Info(fmt.Sprintf("ferry %s: Worker ready in %v", st.Version, time.Since(start).Round(10*time.Microsecond)))
	lambdaadapter.Start(h) // never returns
	return nil
}

// setMemoryLimit makes the Go GC work harder as the heap nears 90% of the
// function's memory (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB) rather than let
// Lambda kill the process, unless GOMEMLIMIT says otherwise.
func setMemoryLimit(st Options) {
	if st.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if mb, err := strconv.Atoi(st.Getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")); err == nil && mb > 0 {
		debug.SetMemoryLimit(int64(mb) << 20 / 10 * 9)
	}
}

// lambdaDir is where the package is: LAMBDA_TASK_ROOT (/var/task on
// Lambda), else the directory of the running binary.
func lambdaDir(st Options) string {
	if d := st.Getenv("LAMBDA_TASK_ROOT"); d != "" {
		return d
	}
	exe, err := os.Executable()
	if err != nil {
		return "."
	}
	return filepath.Dir(exe)
}

// Handler loads the package in dir and starts its Worker.
func Handler(st Options, dir string, log *slog.Logger) (*lambdaadapter.Handler, error) {
	m, b, err := lambdaadapter.LoadArtifact(dir)
	if err != nil {
		return nil, err
	}
	spec, err := Env(m, environ(st))
	if err != nil {
		return nil, err
	}
	// KV, R2 and queue producers on AWS (FERRY_KV_*, FERRY_R2_*,
	// FERRY_QUEUE_*, else the manifest's [ferry.aws]); clients only, no
	// request at init.
	aws, err := awsbind.Bindings(context.Background(), st.Getenv, m.Bindings, m.AWS)
	if err != nil {
		return nil, err
	}
	spec.KV, spec.R2, spec.Queues = aws.KV, aws.R2, aws.Queues
	opts := core.Options{Bundle: b, Runtimes: 1, Env: spec, Log: log, WallLimit: -1, CPULimit: CPULimit}
	if m.Limits.CPUMs > 0 {
		opts.CPULimit = time.Duration(m.Limits.CPUMs) * time.Millisecond
	}
	if m.Limits.Subrequests > 0 {
		opts.Subrequests = m.Limits.Subrequests
	}
	opts.AllowPrivateFetch = m.Limits.AllowPrivateFetch
	w, err := core.New(opts)
	if err != nil {
		return nil, err
	}
	hopts := []lambdaadapter.Option{
		lambdaadapter.WithLogger(log),
		lambdaadapter.WithStreaming(st.Getenv(manifest.EnvInvokeMode) == "RESPONSE_STREAM"),
		lambdaadapter.WithConsumers(m.Consumers),
		lambdaadapter.WithCrons(m.Crons),
	}
	hopts = append(hopts, awsOptions()...)
	if q := st.Getenv(manifest.EnvQueues); q != "" {
		var names map[string]string
		if err := json.Unmarshal([]byte(q), &names); err != nil {
			return nil, fmt.Errorf("%s: want a JSON object of SQS queue name to Workers queue name: %w", manifest.EnvQueues, err)
		}
		hopts = append(hopts, lambdaadapter.WithQueueNames(names))
	}
	return lambdaadapter.New(w, hopts...), nil
}

func environ(st Options) []string {
	if st.Environ == nil {
		return nil
	}
	return st.Environ()
}

// Env builds the Worker's env on Lambda. From lowest to highest
// precedence:
//
//   - the manifest's vars (the wrangler config's vars);
//   - every variable of the function's environment except the ones Lambda
//     and its runtimes define (AWS_*, LAMBDA_*, _*, PATH, LANG, TZ, ...) and
//     FERRY_* — a var the config declares as JSON is parsed as JSON;
//   - FERRY_VAR_<NAME>, a plain-text var NAME;
//   - FERRY_SECRET_<NAME>, the secret NAME.
//
// A secret the manifest requires (secrets.required) may also be set under
// its own name; if it is missing, the init fails naming it.
func Env(m *manifest.Manifest, environ []string) (*env.Spec, error) {
	vars := map[string]any{}
	for k, v := range m.Vars {
		vars[k] = v
	}
	secrets := map[string]string{}
	plain := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		switch {
		case strings.HasPrefix(k, manifest.EnvSecretPrefix) && len(k) > len(manifest.EnvSecretPrefix):
			secrets[k[len(manifest.EnvSecretPrefix):]] = v
		case strings.HasPrefix(k, manifest.EnvVarPrefix) && len(k) > len(manifest.EnvVarPrefix):
			plain[k[len(manifest.EnvVarPrefix):]] = v
		case !reservedEnv(k):
			if _, isString := m.Vars[k].(string); m.Vars[k] != nil && !isString {
				var j any
				if json.Unmarshal([]byte(v), &j) == nil {
					vars[k] = j
					continue
				}
			}
			vars[k] = v
		}
	}
	for k, v := range plain {
		vars[k] = v
	}
	var missing []string
	for _, name := range m.Secrets {
		if _, ok := secrets[name]; ok {
			continue
		}
		if v, ok := vars[name].(string); ok {
			secrets[name] = v
			delete(vars, name)
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the Worker requires the secret(s) %s (secrets.required), which the Lambda environment does not set: set %s%s (or a variable of that name)", strings.Join(missing, ", "), manifest.EnvSecretPrefix, missing[0])
	}
	return &env.Spec{Vars: vars, Secrets: secrets}, nil
}

// reservedEnv reports whether a variable belongs to Lambda, its runtime or
// Ferry rather than to the Worker.
func reservedEnv(k string) bool {
	for _, p := range []string{"AWS_", "LAMBDA_", "_", "FERRY_"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	switch k {
	case "PATH", "LANG", "LC_ALL", "TZ", "LD_LIBRARY_PATH", "HOME", "PWD", "SHLVL", "HOSTNAME", "USER", "TERM",
		"NODE_PATH", "PYTHONPATH", "GEM_PATH", "GOMAXPROCS", "GODEBUG", "GOGC", "GOMEMLIMIT", "GOTRACEBACK":
		return true
	}
	return false
}
