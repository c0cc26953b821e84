package bundle

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Namespaces of the modules our plugins load. The metafile names their inputs
// "<namespace>:<path>".
const (
	runtimeNamespace = "ferry-runtime"
	dataNamespace    = "ferry-data"
)

// RuntimeGlobal is the global object the runtime modules read from. Ferry
// installs it before running a bundle:
//
//	__ferry_runtime.DurableObject, .WorkerEntrypoint, .WorkflowEntrypoint,
//	.RpcTarget, .env       → import { ... } from "cloudflare:workers"
//	__ferry_runtime.connect → import { connect } from "cloudflare:sockets"
//
// Each module reads the global once, when the bundle runs; when it is absent
// the classes fall back to minimal base classes (constructor(ctx, env) sets
// this.ctx and this.env), env to {}, and connect throws.
const RuntimeGlobal = "__ferry_runtime"

var runtimeModules = map[string]string{
	"cloudflare:workers": `const rt = globalThis.` + RuntimeGlobal + `;
export const DurableObject = rt?.DurableObject ?? class DurableObject {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
};
export const WorkerEntrypoint = rt?.WorkerEntrypoint ?? class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
};
export const WorkflowEntrypoint = rt?.WorkflowEntrypoint ?? class WorkflowEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
};
export const RpcTarget = rt?.RpcTarget ?? class RpcTarget {};
export const env = rt?.env ?? {};
`,
	"cloudflare:sockets": `const rt = globalThis.` + RuntimeGlobal + `;
export const connect = rt?.connect ?? function connect() {
  throw new Error("connect() from cloudflare:sockets is not available in this runtime");
};
`,
}

// nodeBuiltins are Node.js's built-in module names (require("module").builtinModules
// of Node 20, without the internal "_" ones). A bare import of one of them fails
// the build unless a package of that name is installed (npm polyfills such as
// "buffer" or "events"), as with wrangler without nodejs_compat.
var nodeBuiltins = regexp.MustCompile(`^(assert|async_hooks|buffer|child_process|cluster|console|constants|crypto|dgram|diagnostics_channel|dns|domain|events|fs|http|http2|https|inspector|module|net|os|path|perf_hooks|process|punycode|querystring|readline|repl|stream|string_decoder|sys|timers|tls|trace_events|tty|url|util|v8|vm|wasi|worker_threads|zlib)(/.*)?$|^node:`)

// resolving marks the nested build.Resolve calls of our own plugins so their
// OnResolve callbacks let esbuild resolve normally instead of recursing.
type resolving struct{}

// runtimePlugin serves the cloudflare: modules and rejects Node.js built-ins.
func runtimePlugin() api.Plugin {
	return api.Plugin{
		Name: "ferry-runtime",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: `^cloudflare:`}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := runtimeModules[args.Path]; !ok {
					return api.OnResolveResult{Errors: []api.Message{{
						Text: fmt.Sprintf("%q is not available: Ferry provides cloudflare:workers and cloudflare:sockets", args.Path),
					}}}, nil
				}
				return api.OnResolveResult{Path: args.Path, Namespace: runtimeNamespace}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: runtimeNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				src := runtimeModules[args.Path]
				return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
			})
			b.OnResolve(api.OnResolveOptions{Filter: nodeBuiltins.String()}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := args.PluginData.(resolving); ok {
					return api.OnResolveResult{}, nil
				}
				if !strings.HasPrefix(args.Path, "node:") {
					// An installed package of that name (a polyfill) wins.
					r := b.Resolve(args.Path, api.ResolveOptions{
						Importer: args.Importer, Namespace: args.Namespace, ResolveDir: args.ResolveDir,
						Kind: args.Kind, PluginData: resolving{},
					})
					if len(r.Errors) == 0 {
						res := api.OnResolveResult{Path: r.Path, Namespace: r.Namespace, External: r.External,
							Suffix: r.Suffix, PluginData: r.PluginData}
						if !r.SideEffects {
							res.SideEffects = api.SideEffectsFalse
						}
						return res, nil
					}
				}
				return api.OnResolveResult{Errors: []api.Message{{
					Text: fmt.Sprintf("%q is not available: Node.js built-in modules (nodejs_compat) are not supported by Ferry yet", args.Path),
				}}}, nil
			})
		},
	}
}

// dataPlugin makes `import data from "./x.bin"` an ArrayBuffer, as wrangler's
// Data module rule does (esbuild's binary loader alone gives a Uint8Array): the
// import resolves to a wrapper module that re-exports the bytes' buffer.
func dataPlugin() api.Plugin {
	return api.Plugin{
		Name: "ferry-data",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: `\.bin$`}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := args.PluginData.(resolving); ok {
					return api.OnResolveResult{}, nil
				}
				if args.Namespace == dataNamespace {
					// The wrapper's own import: the file itself, binary loader.
					return api.OnResolveResult{Path: args.Path, Namespace: "file"}, nil
				}
				r := b.Resolve(args.Path, api.ResolveOptions{
					Importer: args.Importer, Namespace: args.Namespace, ResolveDir: args.ResolveDir,
					Kind: args.Kind, PluginData: resolving{},
				})
				if len(r.Errors) > 0 {
					return api.OnResolveResult{Errors: r.Errors}, nil
				}
				return api.OnResolveResult{Path: r.Path, Namespace: dataNamespace}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: dataNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				p, _ := json.Marshal(args.Path)
				src := fmt.Sprintf("import bytes from %s;\nexport default bytes.buffer;\n", p)
				return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS, ResolveDir: filepath.Dir(args.Path)}, nil
			})
		},
	}
}
