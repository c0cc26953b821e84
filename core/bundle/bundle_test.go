package bundle

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/ferry-run/ferry/internal/testutil"
)

// project writes files (slash paths relative to a new directory) and returns the directory.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildEntry bundles dir/entry with dir as the project root.
func buildEntry(t *testing.T, dir, entry string) *Result {
	t.Helper()
	res, err := Build(Options{Entry: filepath.Join(dir, filepath.FromSlash(entry)), Dir: dir})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return res
}

// run compiles the bundle's Program and runs it in a new goja runtime, after
// the setup script (which may install globals the bundle reads).
func run(t *testing.T, res *Result, setup string) *goja.Runtime {
	t.Helper()
	prg, err := goja.CompileAST(res.Program, false)
	if err != nil {
		t.Fatalf("CompileAST: %v", err)
	}
	vm := goja.New()
	if setup != "" {
		if _, err := vm.RunString(setup); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	if _, err := vm.RunProgram(prg); err != nil {
		t.Fatalf("running the bundle: %v", err)
	}
	return vm
}

// eval runs JS in vm (promise jobs run before it returns) and exports the result.
func eval(t *testing.T, vm *goja.Runtime, src string) any {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v.Export()
}

func TestBuildRuns(t *testing.T) {
	cases := []struct {
		name        string
		files       map[string]string
		setup       string // JS run before the bundle
		check       string // JS expression evaluated after it; must be true
		wantFormat  Format
		wantExports []string
	}{
		{
			name: "JS module",
			files: map[string]string{
				"src/index.js": `import { greet } from "./greet.js";
export default { fetch(req) { return greet(req); } };`,
				"src/greet.js": `export const greet = (name) => "hello " + name;`,
			},
			check:       `__ferry_exports.default.fetch("js") === "hello js"`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"default"},
		},
		{
			name: "TS module with tsconfig paths",
			files: map[string]string{
				"tsconfig.json": `{"compilerOptions": {"baseUrl": ".", "paths": {"@lib/*": ["src/lib/*"]}}}`,
				"src/index.ts": `import { double } from "@lib/math";
enum Kind { A = 1, B }
interface Env { N: number }
export default {
  fetch(req: unknown, env: Env): number { return double(env.N) + Kind.B; },
} satisfies Record<string, unknown>;`,
				"src/lib/math.ts": `export function double(n: number): number { return n * 2; }`,
			},
			check:       `__ferry_exports.default.fetch(null, { N: 20 }) === 42`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"default"},
		},
		{
			name: "service worker",
			files: map[string]string{
				"src/index.js": `addEventListener("fetch", (event) => event.respondWith("sw " + event.request));`,
			},
			setup:       `var handlers = {}; function addEventListener(type, fn) { handlers[type] = fn; }`,
			check:       `(() => { let got; handlers.fetch({ request: "r", respondWith(v) { got = v; } }); return got === "sw r"; })()`,
			wantFormat:  ServiceWorkerFormat,
			wantExports: []string{},
		},
		{
			name: "exports without default",
			files: map[string]string{
				"src/index.ts": `export class Counter { n = 0; inc() { return ++this.n; } }
export const version = "1";`,
			},
			check:       `new __ferry_exports.Counter().inc() === 1 && __ferry_exports.version === "1" && !("default" in __ferry_exports)`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"Counter", "version"},
		},
		{
			name: "re-exports and string export names",
			files: map[string]string{
				"src/index.js": `export * from "./do.js";
import h from "./handler.js";
const odd = 7;
export { h as default, odd as "odd name" };`,
				"src/do.js":      `export class Room {} export class Lobby {}`,
				"src/handler.js": `export default { fetch() { return "ok"; } };`,
			},
			check:       `__ferry_exports.default.fetch() === "ok" && __ferry_exports["odd name"] === 7 && typeof __ferry_exports.Room === "function"`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"Lobby", "Room", "default", "odd name"},
		},
		{
			name: "module code is strict, as in Workers",
			files: map[string]string{
				"src/index.js": `export default { strict: (function () { return this === undefined; })() };`,
			},
			check:       `__ferry_exports.default.strict === true`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"default"},
		},
		{
			name: "text and data modules",
			files: map[string]string{
				"src/index.js": `import page from "./page.html"; import q from "./q.sql"; import readme from "./readme.txt"; import data from "./data.bin";
export default { page, q, readme, data };`,
				"src/page.html":  "<p>hi</p>",
				"src/q.sql":      "SELECT 1",
				"src/readme.txt": "read me",
				"src/data.bin":   "\x00\x01\x02",
			},
			check: `(() => { const d = __ferry_exports.default;
  return d.page === "<p>hi</p>" && d.q === "SELECT 1" && d.readme === "read me" &&
    d.data instanceof ArrayBuffer && new Uint8Array(d.data).join() === "0,1,2"; })()`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"default"},
		},
		{
			name: "npm package through the workerd condition",
			files: map[string]string{
				"src/index.js":                  `import { where } from "pkg"; export default { where };`,
				"node_modules/pkg/package.json": `{"name": "pkg", "exports": {".": {"workerd": "./workerd.js", "node": "./node.js", "default": "./default.js"}}}`,
				"node_modules/pkg/workerd.js":   `export const where = "workerd";`,
				"node_modules/pkg/node.js":      `export const where = "node";`,
				"node_modules/pkg/default.js":   `export const where = "default";`,
			},
			check:       `__ferry_exports.default.where === "workerd"`,
			wantFormat:  ModuleFormat,
			wantExports: []string{"default"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := project(t, tc.files)
			entry := "src/index.js"
			if _, ok := tc.files["src/index.ts"]; ok {
				entry = "src/index.ts"
			}
			res := buildEntry(t, dir, entry)
			if res.Format != tc.wantFormat {
				t.Errorf("Format = %v, want %v", res.Format, tc.wantFormat)
			}
			if got := slices.Sorted(slices.Values(res.Exports)); !slices.Equal(got, tc.wantExports) {
				t.Errorf("Exports = %q, want %q", got, tc.wantExports)
			}
			vm := run(t, res, tc.setup)
			if got := eval(t, vm, tc.check); got != true {
				t.Errorf("%s = %v\ncode:\n%s", tc.check, got, res.Code)
			}
		})
	}
}

func TestBuildInputsAndSourceMap(t *testing.T) {
	dir := project(t, map[string]string{
		"src/index.ts":                  `import { a } from "./a"; import { b } from "dep"; import { env } from "cloudflare:workers"; export default { a, b, env };`,
		"src/a.ts":                      `export const a = 1;`,
		"node_modules/dep/package.json": `{"name": "dep", "module": "index.js"}`,
		"node_modules/dep/index.js":     `export const b = 2;`,
	})
	res := buildEntry(t, dir, "src/index.ts")
	want := []string{
		filepath.Join(dir, "node_modules", "dep", "index.js"),
		filepath.Join(dir, "src", "a.ts"),
		filepath.Join(dir, "src", "index.ts"),
	}
	if !slices.Equal(res.Inputs, want) {
		t.Errorf("Inputs = %q, want %q", res.Inputs, want)
	}
	var m struct {
		Version        int
		Sources        []string
		SourcesContent []string
	}
	if err := json.Unmarshal(res.SourceMap, &m); err != nil {
		t.Fatalf("SourceMap is not JSON: %v", err)
	}
	if m.Version != 3 || !slices.Contains(m.Sources, "src/index.ts") || !slices.Contains(m.Sources, "node_modules/dep/index.js") {
		t.Errorf("source map version %d, sources %q; want v3 with sources relative to Dir", m.Version, m.Sources)
	}
	if len(m.SourcesContent) != len(m.Sources) {
		t.Errorf("sourcesContent has %d entries for %d sources", len(m.SourcesContent), len(m.Sources))
	}
}

func TestBuildDefines(t *testing.T) {
	dir := project(t, map[string]string{
		"src/index.js": `export default { mode: process.env.NODE_ENV, flag: __FLAG__ };`,
	})
	cases := []struct {
		dev      bool
		wantMode string
	}{{false, "production"}, {true, "development"}}
	for _, tc := range cases {
		t.Run(tc.wantMode, func(t *testing.T) {
			res, err := Build(Options{Entry: filepath.Join(dir, "src/index.js"), Dev: tc.dev, Define: map[string]string{"__FLAG__": "true"}})
			if err != nil {
				t.Fatal(err)
			}
			vm := run(t, res, "")
			if got := eval(t, vm, `__ferry_exports.default.mode + " " + __ferry_exports.default.flag`); got != tc.wantMode+" true" {
				t.Errorf("got %q, want %q", got, tc.wantMode+" true")
			}
		})
	}
}

// goja has no async generators nor for await: they are lowered, and run.
// Class fields and private members are not lowered (see DESIGN.md).
func TestBuildLowering(t *testing.T) {
	dir := project(t, map[string]string{
		"src/index.js": `async function* numbers() { yield 1; await null; yield 2; yield 3; }
export async function sum() {
  let s = 0;
  for await (const n of numbers()) s += n;
  return s;
}
export class Box { #secret = 40; static #count = 0; extra = 2; get value() { Box.#count++; return this.#secret + this.extra; } }
export default { sum };`,
	})
	res := buildEntry(t, dir, "src/index.js")
	code := string(res.Code)
	for _, s := range []string{"for await", "async function*"} {
		if strings.Contains(code, s) {
			t.Errorf("bundle still contains %q", s)
		}
	}
	for _, s := range []string{"#secret = 40", "extra = 2"} {
		if !strings.Contains(code, s) {
			t.Errorf("bundle lowered class fields: %q missing", s)
		}
	}
	if strings.Contains(code, "WeakMap") {
		t.Error("bundle lowers private fields through WeakMap")
	}
	vm := run(t, res, "")
	eval(t, vm, `__ferry_exports.sum().then(v => { globalThis.total = v; }, e => { globalThis.total = String(e); })`)
	if got := eval(t, vm, `total`); got != int64(6) {
		t.Errorf("sum() with for await = %v, want 6", got)
	}
	if got := eval(t, vm, `new __ferry_exports.Box().value`); got != int64(42) {
		t.Errorf("Box.value = %v, want 42", got)
	}
}

// goja's parser rejects class fields named get, set or async; the build quotes
// them, and nothing else.
func TestBuildClassFieldNames(t *testing.T) {
	dir := project(t, map[string]string{
		"src/index.ts": `export class Store {
  data: Record<string, unknown> = {};
  set = (k: string, v: unknown) => { this.data[k] = v; };
  get = (k: string) => this.data[k];
  static async = true;
  static get = "static";
  get size(): number { return Object.keys(this.data).length; }
  set size(_: number) {}
}
class Bare { get; set; }
let set: number, get: number;
set = 1;
get = set + 1;
const obj = { set: 3, get(): number { return 4; } };
export const values = [set, get, obj.set, obj.get(), "get" in new Bare()];
export default {};`,
	})
	res := buildEntry(t, dir, "src/index.ts")
	code := string(res.Code)
	for _, s := range []string{`"set" = (k, v) =>`, `"get" = (k) =>`, `static "async" = true`, `static "get" = "static"`} {
		if !strings.Contains(code, s) {
			t.Errorf("bundle lacks %s", s)
		}
	}
	for _, s := range []string{"\nset = 1;", "\nget = set + 1;", "get size()", "set size(_)", "get;", "set: 3", "get() {"} {
		if !strings.Contains(code, s) {
			t.Errorf("bundle changed code that needed no fix: %q missing", s)
		}
	}
	vm := run(t, res, "")
	check := `(() => { const s = new __ferry_exports.Store(); s.set("a", 1);
  return s.get("a") === 1 && s.size === 1 && __ferry_exports.Store.async === true && __ferry_exports.Store.get === "static" &&
    JSON.stringify(__ferry_exports.values) === "[1,2,3,4,true]"; })()`
	if got := eval(t, vm, check); got != true {
		t.Errorf("Store behaves wrongly; code:\n%s", code)
	}
}

// Quoting a field name shifts the rest of its line: the source map must follow.
func TestBuildClassFieldFixKeepsSourceMap(t *testing.T) {
	src := `export class Thrower {
  set = (k: any) => k.missing();
}
export default {};`
	dir := project(t, map[string]string{"src/index.ts": src})
	res := buildEntry(t, dir, "src/index.ts")
	if !strings.Contains(string(res.Code), `"set" = (k) => k.missing();`) {
		t.Fatalf("field not quoted on one line:\n%s", res.Code)
	}
	vm := run(t, res, "")
	_, err := vm.RunString(`new __ferry_exports.Thrower().set({})`)
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("want a JS exception, got %v", err)
	}
	// goja locates the failed call at the callee's property (`missing`),
	// line 2, column 23 of the TS source.
	if want := "src/index.ts:2:23"; !strings.Contains(ex.String(), want) {
		t.Errorf("stack %q does not name %s", ex.String(), want)
	}
}

func TestBuildSourceMappedStack(t *testing.T) {
	src := `interface Env { NAME: string }

function check(n: number): number {
  if (n > 1) {
    throw new Error("too big: " + n);
  }
  return n;
}

export default {
  fetch(req: unknown, env: Env): number {
    const v: number = check(2);
    return v;
  },
};
`
	dir := project(t, map[string]string{"src/index.ts": src})
	res := buildEntry(t, dir, "src/index.ts")
	vm := run(t, res, "")
	_, err := vm.RunString(`__ferry_exports.default.fetch(null, {})`)
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("want a JS exception, got %v", err)
	}
	stack := ex.String()
	// Line 5, column 11 is `new Error(...)`; line 12, column 23 the call of check.
	for _, want := range []string{"too big: 2", "at check (src/index.ts:5:11", "at fetch (src/index.ts:12:23"} {
		if !strings.Contains(stack, want) {
			t.Errorf("stack does not contain %q:\n%s", want, stack)
		}
	}
	if strings.Contains(stack, bundleName) {
		t.Errorf("stack names the bundle, not the source:\n%s", stack)
	}
	// The JS-visible stack is mapped too.
	got := eval(t, vm, `(() => { try { __ferry_exports.default.fetch(null, {}); } catch (e) { return e.stack; } })()`)
	if s, _ := got.(string); !strings.Contains(s, "src/index.ts:5:11") {
		t.Errorf("e.stack = %q, want src/index.ts:5:11", s)
	}
}

func TestBuildRuntimeModules(t *testing.T) {
	dir := project(t, map[string]string{
		"src/index.ts": `import { DurableObject, WorkerEntrypoint, WorkflowEntrypoint, RpcTarget, env } from "cloudflare:workers";
import { connect } from "cloudflare:sockets";
export class Room extends DurableObject { hello() { return "room of " + this.env.NAME; } }
export class Api extends WorkerEntrypoint {}
export class Flow extends WorkflowEntrypoint {}
export class Target extends RpcTarget {}
export default { env, connect };`,
	})
	res := buildEntry(t, dir, "src/index.ts")
	for _, in := range res.Inputs {
		if !strings.HasPrefix(in, dir) {
			t.Errorf("Inputs has %q, not a file of the project", in)
		}
	}

	t.Run("without the runtime global", func(t *testing.T) {
		vm := run(t, res, "")
		check := `new __ferry_exports.Room({}, { NAME: "a" }).hello() === "room of a" &&
  new __ferry_exports.Api("ctx", "env").ctx === "ctx" && typeof __ferry_exports.Flow === "function" &&
  new __ferry_exports.Target() instanceof Object && typeof __ferry_exports.default.env === "object"`
		if got := eval(t, vm, check); got != true {
			t.Errorf("fallback classes misbehave")
		}
		if _, err := vm.RunString(`__ferry_exports.default.connect("host:1")`); err == nil || !strings.Contains(err.Error(), "not available") {
			t.Errorf("fallback connect() = %v, want a not-available error", err)
		}
	})
	t.Run("with the runtime global", func(t *testing.T) {
		setup := `class DO { constructor(ctx, env) { this.env = env; this.native = true; } }
var ` + RuntimeGlobal + ` = { DurableObject: DO, env: { NAME: "global" }, connect: (a) => "socket " + a };`
		vm := run(t, res, setup)
		check := `new __ferry_exports.Room({}, { NAME: "b" }).native === true && __ferry_exports.default.env.NAME === "global" &&
  __ferry_exports.default.connect("h") === "socket h"`
		if got := eval(t, vm, check); got != true {
			t.Errorf("runtime global is not used")
		}
	})
}

func TestBuildNodeBuiltins(t *testing.T) {
	cases := []struct {
		name    string
		files   map[string]string
		wantErr string // "" = builds
	}{
		{
			name:    "node: prefix",
			files:   map[string]string{"src/index.ts": "// uses fs\n\nimport { readFile } from \"node:fs\";\nexport default { readFile };"},
			wantErr: `src/index.ts:3:26: error: "node:fs" is not available: Node.js built-in modules (nodejs_compat) are not supported by Ferry yet`,
		},
		{
			name:    "bare builtin in a dependency",
			files:   map[string]string{"src/index.js": `import "dep"; export default {};`, "node_modules/dep/index.js": `import path from "path"; console.log(path);`},
			wantErr: `node_modules/dep/index.js:1:18: error: "path" is not available: Node.js built-in modules (nodejs_compat) are not supported by Ferry yet`,
		},
		{
			name:    "subpath",
			files:   map[string]string{"src/index.js": `import { readFile } from "fs/promises"; export default { readFile };`},
			wantErr: `src/index.js:1:26: error: "fs/promises" is not available`,
		},
		{
			name: "installed polyfill wins",
			files: map[string]string{
				"src/index.js":                     `import { Buffer } from "buffer"; export default { Buffer };`,
				"node_modules/buffer/package.json": `{"name": "buffer", "main": "index.js"}`,
				"node_modules/buffer/index.js":     `export class Buffer {}`,
			},
		},
		{
			name:    "unknown cloudflare: module",
			files:   map[string]string{"src/index.js": `import { EmailMessage } from "cloudflare:email"; export default { EmailMessage };`},
			wantErr: `src/index.js:1:30: error: "cloudflare:email" is not available`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := project(t, tc.files)
			entry := "src/index.js"
			if _, ok := tc.files["src/index.ts"]; ok {
				entry = "src/index.ts"
			}
			_, err := Build(Options{Entry: filepath.Join(dir, entry), Dir: dir})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Build: %v", err)
				}
				return
			}
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", err, tc.wantErr)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		wants []string // each must appear in Error()
	}{
		{
			name: "missing import",
			src:  "import { a } from \"./a\";\nimport { nope } from \"./nope\";\nexport default { a, nope };",
			wants: []string{
				`src/index.ts:2:22: error: Could not resolve "./nope"`,
				`    2 | import { nope } from "./nope";`,
				"      |                      ^",
			},
		},
		{
			name: "every missing import is listed",
			src:  "import x from \"not-installed\";\nimport { y } from \"./y\";\nexport default { x, y };",
			wants: []string{
				`src/index.ts:1:15: error: Could not resolve "not-installed"`,
				`src/index.ts:2:19: error: Could not resolve "./y"`,
			},
		},
		{
			name:  "missing export",
			src:   "import { a, b } from \"./a\";\nexport default { a, b };",
			wants: []string{`src/index.ts:1:13: error: No matching export in "src/a.ts" for import "b"`},
		},
		{
			name: "syntax error",
			src:  "export default {\n  fetch() {\n    return 1 +;\n  },\n};",
			wants: []string{
				`src/index.ts:3:15: error: Unexpected ";"`,
				`    3 |     return 1 +;`,
			},
		},
		{
			name:  "top-level await",
			src:   "const r = await Promise.resolve(1);\nexport default { r };",
			wants: []string{`src/index.ts:1:11: error: Top-level await is not available`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := project(t, map[string]string{"src/index.ts": tc.src, "src/a.ts": "export const a = 1;"})
			_, err := Build(Options{Entry: filepath.Join(dir, "src/index.ts"), Dir: dir})
			var be *Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			for _, want := range tc.wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error:\n%s\nwant it to contain:\n%s", err, want)
				}
			}
			if be.Messages[0].File != "src/index.ts" || be.Messages[0].LineText == "" {
				t.Errorf("first message %+v lacks file or line text", be.Messages[0])
			}
		})
	}
}

func TestBuildHono(t *testing.T) {
	dir, err := filepath.Abs("../../examples/hono")
	if err != nil {
		t.Fatal(err)
	}
	testutil.NpmInstall(t, dir)

	start := time.Now()
	res, err := Build(Options{Entry: filepath.Join(dir, "src", "index.ts"), Dir: dir})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	elapsed := time.Since(start)
	start = time.Now()
	if _, err := parser.ParseFile(nil, bundleName, string(res.Code), 0, parser.WithDisableSourceMaps); err != nil {
		t.Fatalf("goja cannot parse the Hono bundle: %v", err)
	}
	t.Logf("Hono: bundle %d bytes built in %v (first build in this process), goja parse %v, %d inputs",
		len(res.Code), elapsed.Round(time.Millisecond), time.Since(start).Round(time.Microsecond), len(res.Inputs))
	if elapsed > time.Second {
		t.Errorf("bundling Hono took %v", elapsed)
	}
	if res.Format != ModuleFormat || !slices.Equal(res.Exports, []string{"default"}) {
		t.Errorf("Format %v, Exports %q; want module with default", res.Format, res.Exports)
	}
	if !slices.Contains(res.Inputs, filepath.Join(dir, "node_modules", "hono", "dist", "hono-base.js")) {
		t.Errorf("Inputs lack hono-base.js: %q", res.Inputs)
	}
	vm := run(t, res, "")
	if got := eval(t, vm, `typeof __ferry_exports.default.fetch`); got != "function" {
		t.Errorf("typeof __ferry_exports.default.fetch = %v, want function", got)
	}
}
