package gcf

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dop251/goja/parser"
	"github.com/go-sourcemap/sourcemap"

	"github.com/ferry-run/ferry/adapters/gcf/gcfbuild"
	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/bundle"
	"github.com/ferry-run/ferry/core/env"
)

// CPULimit is the CPU limit of an event on Cloud Functions when the Worker
// sets none (limits.cpu_ms): Cloudflare's default on the Standard plan, as on
// Lambda. The function's timeout bounds the wall clock.
const CPULimit = 30 * time.Second

// RegisterBuild registers the functions of a Worker built by
// `ferry build --target gcf`: fsys holds manifest.json and the bundle it
// names (the generated package embeds them). The Worker starts here, at
// init, so the first request does not pay for compiling it.
//
// env is the manifest's vars, overridden by FERRY_VAR_NAME=value; secrets come
// from FERRY_SECRET_NAME=value, or a secrets.required name set under its own
// name (Secret Manager secrets exposed as environment variables). A missing
// required secret, or a binding Cloud Functions has no backend for yet,
// fails here, naming it. Logs are JSON lines Cloud Logging reads (severity,
// message).
func RegisterBuild(name string, fsys fs.FS) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{ReplaceAttr: cloudLogging}))
	m, b, err := LoadBuild(fsys)
	if err != nil {
		return err
	}
	if err := gcfbuild.CheckBuild(m); err != nil {
		return err
	}
	spec, err := Env(m, os.Environ())
	if err != nil {
		return err
	}
	opts := core.Options{Bundle: b, Env: spec, Log: log, CPULimit: CPULimit, WallLimit: -1, AllowPrivateFetch: m.Limits.AllowPrivateFetch}
	if m.Limits.CPUMs > 0 {
		opts.CPULimit = time.Duration(m.Limits.CPUMs) * time.Millisecond
	}
	if m.Limits.Subrequests > 0 {
		opts.Subrequests = m.Limits.Subrequests
	}
	w, err := core.New(opts)
	if err != nil {
		return err
	}
	hopts := []Option{WithLogger(log), WithCrons(m.Crons)}
	if q := os.Getenv(manifest.EnvQueues); q != "" {
		var names map[string]string
		if err := json.Unmarshal([]byte(q), &names); err != nil {
			return fmt.Errorf("%s: want a JSON object of Pub/Sub topic (or subscription) name to Workers queue name: %w", manifest.EnvQueues, err)
		}
		hopts = append(hopts, WithQueueNames(names))
	}
	Register(name, New(w, hopts...))
	return nil
}

// Env builds the Worker's env from the manifest and the environment (see
// RegisterBuild).
func Env(m *manifest.Manifest, environ []string) (*env.Spec, error) {
	vars := map[string]any{}
	for k, v := range m.Vars {
		vars[k] = v
	}
	secrets := map[string]string{}
	own := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		switch {
		case !ok:
		case strings.HasPrefix(k, manifest.EnvSecretPrefix) && len(k) > len(manifest.EnvSecretPrefix):
			secrets[k[len(manifest.EnvSecretPrefix):]] = v
		case strings.HasPrefix(k, manifest.EnvVarPrefix) && len(k) > len(manifest.EnvVarPrefix):
			vars[k[len(manifest.EnvVarPrefix):]] = v
		case slices.Contains(m.Secrets, k):
			own[k] = v
		}
	}
	var missing []string
	for _, name := range m.Secrets {
		if _, ok := secrets[name]; ok {
			continue
		}
		if v, ok := own[name]; ok {
			secrets[name] = v
			continue
		}
		missing = append(missing, name)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the Worker requires the secret(s) %s (secrets.required), which the function's environment does not set: set %s%s (or a variable of that name)", strings.Join(missing, ", "), manifest.EnvSecretPrefix, missing[0])
	}
	return &env.Spec{Vars: vars, Secrets: secrets}, nil
}

// LoadBuild reads the manifest and the bundle from fsys and parses the
// bundle with its engine source map attached, ready for core.New (the files
// adapters/lambda.WriteBundle writes).
func LoadBuild(fsys fs.FS) (*manifest.Manifest, *bundle.Result, error) {
	mj, err := fs.ReadFile(fsys, manifest.FileName)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Ferry manifest: %w", err)
	}
	m, err := manifest.Parse(mj)
	if err != nil {
		return nil, nil, err
	}
	code, err := fs.ReadFile(fsys, m.Bundle)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the bundle: %w", err)
	}
	prg, err := parser.ParseFile(nil, m.Bundle, string(code), 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing the bundle %s: %w", m.Bundle, err)
	}
	if m.EngineMap != "" {
		smj, err := fs.ReadFile(fsys, m.EngineMap)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("reading the source map: %w", err)
		}
		if err == nil {
			c, err := sourcemap.Parse(m.Bundle, smj)
			if err != nil {
				return nil, nil, fmt.Errorf("reading the source map %s: %w", m.EngineMap, err)
			}
			prg.File.SetSourceMap(c)
		}
	}
	res := &bundle.Result{Code: code, Program: prg, Format: bundle.ModuleFormat}
	if m.Format == "service-worker" {
		res.Format = bundle.ServiceWorkerFormat
	}
	return m, res, nil
}

// cloudLogging names slog's fields as Cloud Logging reads JSON lines:
// severity and message.
func cloudLogging(_ []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case slog.LevelKey:
		lvl, _ := a.Value.Any().(slog.Level)
		sev := "INFO"
		switch {
		case lvl >= slog.LevelError:
			sev = "ERROR"
		case lvl >= slog.LevelWarn:
			sev = "WARNING"
		case lvl < slog.LevelInfo:
			sev = "DEBUG"
		}
		return slog.String("severity", sev)
	case slog.MessageKey:
		return slog.String("message", a.Value.String())
	}
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().String())
	}
	return a
}
