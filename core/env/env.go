// Package env builds the JS `env` object a Worker receives: its vars (strings or
// JSON values, as in wrangler config), its secrets, and the JS glue over the
// binding interfaces in bindings/<kind> (KV namespaces and R2 buckets so far). The glue never
// knows which implementation it drives: the host (ferry dev, an adapter) picks
// them and puts them in the Spec.
package env

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/queue"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/assets"
	"github.com/ferry-run/ferry/core/loop"
)

// Spec is everything that goes into env, independent of any runtime. Build it
// once per deployment and call Object for each runtime.
type Spec struct {
	Vars    map[string]any    // from wrangler config: string or decoded JSON
	Secrets map[string]string // from .dev.vars / the host's secret store; win over vars
	// D1 maps binding names to D1 databases (wrangler's d1_databases).
	D1 map[string]d1.Database
	// Queues maps binding names to queue producers (wrangler's
	// queues.producers).
	Queues map[string]queue.Producer
	// KV maps binding names to KV namespaces (wrangler's kv_namespaces).
	KV map[string]kv.Namespace
	// R2 maps binding names to R2 buckets (wrangler's r2_buckets).
	R2 map[string]r2.Bucket
	// Assets are the Worker's static assets (wrangler's assets), nil when it
	// has none; AssetsBinding names the env binding to them ("" for none).
	Assets        *assets.Server
	AssetsBinding string
	// DurableObjects maps binding names to Durable Object namespaces
	// (wrangler's durable_objects.bindings), Services to other Workers or
	// entrypoints (wrangler's services); see durable.go.
	DurableObjects map[string]*DurableObjectNamespace
	Services       map[string]Service
	json           map[string]string // pre-encoded non-string vars, so each runtime only parses
}

// Prepare validates and pre-encodes the spec.
func (s *Spec) Prepare() error {
	s.json = map[string]string{}
	for k, v := range s.Vars {
		if _, ok := v.(string); ok {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encoding var %q as JSON: %w", k, err)
		}
		s.json[k] = string(b)
	}
	return nil
}

// Names returns the binding names in env, sorted.
func (s *Spec) Names() []string {
	seen := map[string]bool{}
	var out []string
	for k := range s.Vars {
		seen[k] = true
		out = append(out, k)
	}
	for k := range s.Secrets {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range s.D1 {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range s.Queues {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range s.KV {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range s.R2 {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	if k := s.AssetsBinding; k != "" && s.Assets != nil && !seen[k] {
		out = append(out, k)
	}
	out = s.rpcNames(out, seen)
	sort.Strings(out)
	return out
}

// Object builds the env object on l's runtime (call it on the loop goroutine,
// after the Web APIs are installed). Vars are plain JS values (JSON vars are
// real objects, not Go-backed wrappers), so code may freely read, spread and
// serialise them; bindings are Go-backed objects whose I/O runs off the loop.
// A binding wins over a var or secret of the same name.
func (s *Spec) Object(l *loop.Loop) (*goja.Object, error) {
	vm := l.VM()
	if s.json == nil {
		if err := s.Prepare(); err != nil {
			return nil, err
		}
	}
	obj := vm.NewObject()
	var d1Glue *d1Glue
	parse, _ := goja.AssertFunction(vm.Get("JSON").(*goja.Object).Get("parse"))
	var kvGlue *kvGlue
	var queueGlue *queueGlue
	var r2Glue *r2Glue
	for _, k := range s.Names() {
		if v, ok, err := s.rpcBinding(l, k); ok {
			if err != nil {
				return nil, err
			}
			_ = obj.Set(k, v)
			continue
		}
		if k == s.AssetsBinding && s.Assets != nil {
			_ = obj.Set(k, newAssetsGlue(l).wrap(s.Assets))
			continue
		}
		if db, ok := s.D1[k]; ok {
			if d1Glue == nil {
				d1Glue = newD1Glue(l)
			}
			_ = obj.Set(k, d1Glue.wrap(db))
			continue
		}
		if p, ok := s.Queues[k]; ok {
			if queueGlue == nil {
				queueGlue = newQueueGlue(l)
			}
			_ = obj.Set(k, queueGlue.wrap(p))
			continue
		}
		if b, ok := s.R2[k]; ok {
			if r2Glue == nil {
				r2Glue = newR2Glue(l)
			}
			_ = obj.Set(k, r2Glue.wrap(b))
			continue
		}
		if ns, ok := s.KV[k]; ok {
			if kvGlue == nil {
				kvGlue = newKVGlue(l)
			}
			_ = obj.Set(k, kvGlue.wrap(ns))
			continue
		}
		if sec, ok := s.Secrets[k]; ok {
			_ = obj.Set(k, sec)
			continue
		}
		if str, ok := s.Vars[k].(string); ok {
			_ = obj.Set(k, str)
			continue
		}
		v, err := parse(goja.Undefined(), vm.ToValue(s.json[k]))
		if err != nil {
			return nil, fmt.Errorf("building var %q: %w", k, err)
		}
		_ = obj.Set(k, v)
	}
	return obj, nil
}
