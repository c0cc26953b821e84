// Package bundle turns a Worker entry (JavaScript or TypeScript, an ES module
// with `export default` or a service-worker script) and everything it imports
// from the project and node_modules into one script goja can run, with a source
// map, using esbuild's Go API in-process.
//
// The script assigns the entry's module namespace to the global variable
// ExportsGlobal, so after running it:
//
//	res, _ := bundle.Build(bundle.Options{Entry: "/app/src/index.ts"})
//	prg, _ := goja.CompileAST(res.Program, false)
//	vm.RunProgram(prg)
//	handler := vm.Get(bundle.ExportsGlobal).ToObject(vm).Get("default")
//
// Only what goja lacks is lowered (async generators and `for await`, top-level
// await is rejected); class fields and private members stay native, because
// esbuild's lowered private fields make Hono twice as slow and leak through
// goja's WeakMap. Imports of cloudflare:workers and cloudflare:sockets resolve
// to small modules reading RuntimeGlobal; Node.js built-ins fail the build with
// a message naming the import.
//
// Result.Program carries the source map, so goja's stack traces and error
// positions name the user's file, line and column (1-based), e.g.
// "src/index.ts:12:11".
//
// Note for runtimes: goja has no Symbol.asyncIterator, and esbuild's helpers
// for the lowered `for await` then use Symbol.for("Symbol.asyncIterator").
// Define Symbol.asyncIterator as that symbol before running a bundle, so that
// native async iterables (ReadableStream) and lowered code agree.
package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/ferry-run/ferry/core/script"
)

// ExportsGlobal is the global variable the module's namespace object is
// assigned to. It is always an object; a service-worker script exports nothing.
const ExportsGlobal = script.ExportsGlobal

// bundleName is the generated script's name: goja reports it for the few
// positions the source map does not cover (esbuild's helpers). Sources in the
// map are relative to its directory, Options.Dir.
const bundleName = "ferry-bundle.js"

// Options says what to bundle.
type Options struct {
	Entry  string            // absolute path of the entry file
	Dir    string            // project root: node_modules resolution, tsconfig, and the base for source paths ("" = dir of Entry)
	Define map[string]string // replace global identifiers with constant expressions, as esbuild's define; wins over Dev's
	Dev    bool              // process.env.NODE_ENV is "development" (else "production"), as wrangler dev vs deploy
	// Script builds a program for `ferry run` rather than a Worker: top-level
	// await is allowed, and the module body runs inside an async function, so
	// ExportsGlobal holds a promise for the namespace.
	Script bool
}

// Format is the kind of Worker the entry is (script.Format).
type Format = script.Format

const (
	// ModuleFormat is an ES module entry with exports (`export default { fetch }`).
	ModuleFormat = script.ModuleFormat
	// ServiceWorkerFormat is a script without exports that calls addEventListener("fetch", ...).
	ServiceWorkerFormat = script.ServiceWorkerFormat
)

// Result is a bundled Worker (script.Result, which core and the Lambda
// adapter use without linking esbuild). Its SourceMap's "sources" are
// relative to Options.Dir.
type Result = script.Result

// Build bundles opts.Entry. A failed build returns an *Error carrying every
// message with file:line:col (relative to Dir) and the line text.
func Build(opts Options) (*Result, error) {
	if !filepath.IsAbs(opts.Entry) {
		return nil, fmt.Errorf("bundle: entry %q is not an absolute path", opts.Entry)
	}
	dir := opts.Dir
	if dir == "" {
		dir = filepath.Dir(opts.Entry)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if _, err := os.Stat(opts.Entry); err != nil {
		return nil, fmt.Errorf("bundle: reading entry: %w", err)
	}

	nodeEnv := `"production"`
	if opts.Dev {
		nodeEnv = `"development"`
	}
	define := map[string]string{
		"process.env.NODE_ENV":            nodeEnv,
		"global.process.env.NODE_ENV":     nodeEnv,
		"globalThis.process.env.NODE_ENV": nodeEnv,
	}
	maps.Copy(define, opts.Define)

	supported := map[string]bool{
		// goja has neither: lower them to generators.
		"async-generator": false,
		"for-await":       false,
		// The wrapped script cannot keep these.
		"top-level-await": false, // → a clear build error
		"import-meta":     false, // → {} with a warning
		"dynamic-import":  false, // → Promise + require for imports esbuild cannot bundle
		// goja rejects these flags when it compiles a literal; as
		// `new RegExp(...)` only the code using them fails, at run time.
		"regexp-match-indices": false,
		"regexp-set-notation":  false,
	}
	if opts.Script {
		// The async wrapper (wrap.go) makes top-level await legal.
		delete(supported, "top-level-await")
	}

	r := api.Build(api.BuildOptions{
		EntryPoints:   []string{opts.Entry},
		AbsWorkingDir: dir,
		Outfile:       filepath.Join(dir, bundleName),
		Write:         false,
		Metafile:      true,
		LogLevel:      api.LogLevelSilent,

		Bundle:     true,
		Format:     api.FormatESModule, // see wrap.go: the metafile lists exports only for ESM
		Platform:   api.PlatformBrowser,
		Conditions: []string{"workerd", "worker", "browser"},
		MainFields: []string{"browser", "module", "main"},
		Target:     api.ES2022,
		Supported:  supported,
		Loader: map[string]api.Loader{
			// wrangler's default module rules: Text and Data.
			".txt":  api.LoaderText,
			".html": api.LoaderText,
			".sql":  api.LoaderText,
			".bin":  api.LoaderBinary,
		},
		Define:        define,
		LegalComments: api.LegalCommentsInline, // keep the export clause last (wrap.go)
		Sourcemap:     api.SourceMapExternal,
		Plugins:       []api.Plugin{runtimePlugin(), dataPlugin()},
	})
	warnings := messages(r.Warnings)
	if len(r.Errors) > 0 {
		return nil, &Error{Messages: messages(r.Errors)}
	}

	var code, mapJSON []byte
	for _, f := range r.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".js.map"):
			mapJSON = f.Contents
		case strings.HasSuffix(f.Path, ".js"):
			code = f.Contents
		}
	}
	meta, err := readMetafile(r.Metafile, dir, opts.Entry)
	if err != nil {
		return nil, err
	}
	smap, err := parseSourceMap(mapJSON)
	if err != nil {
		return nil, fmt.Errorf("bundle: reading esbuild's source map: %w", err)
	}

	script, err := wrapScript(string(code), meta.exports, meta.entryIsESM || len(meta.exports) > 0, opts.Script)
	if err != nil {
		return nil, err
	}
	smap.prependLines(wrapperLines)

	prg, script, _, err := parseForGoja(bundleName, script, smap)
	if err != nil {
		var se *gojaSyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Messages: []Message{gojaMessage(se, smap)}}
		}
		return nil, err
	}
	consumer, err := smap.gojaConsumer(bundleName)
	if err != nil {
		return nil, fmt.Errorf("bundle: loading the source map for goja: %w", err)
	}
	prg.File.SetSourceMap(consumer)

	res := &Result{
		Code:      []byte(script),
		SourceMap: smap.marshal(),
		Program:   prg,
		Format:    ModuleFormat,
		Exports:   meta.exports,
		Inputs:    meta.inputs,
		Warnings:  warnings,
	}
	if len(meta.exports) == 0 {
		res.Format = ServiceWorkerFormat
	}
	return res, nil
}

type metafileInfo struct {
	exports    []string
	entryIsESM bool
	inputs     []string
}

// readMetafile reads the entry's exports, its module format and the input
// files from esbuild's metafile. Paths in it are relative to dir; inputs of
// our plugins' namespaces are "<namespace>:<path>" and are left out.
func readMetafile(metafile, dir, entry string) (metafileInfo, error) {
	var m struct {
		Inputs map[string]struct {
			Format string `json:"format"`
		} `json:"inputs"`
		Outputs map[string]struct {
			EntryPoint string   `json:"entryPoint"`
			Exports    []string `json:"exports"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &m); err != nil {
		return metafileInfo{}, fmt.Errorf("bundle: reading esbuild's metafile: %w", err)
	}
	var info metafileInfo
	for _, o := range m.Outputs {
		if o.EntryPoint != "" {
			info.exports = o.Exports
			info.entryIsESM = m.Inputs[o.EntryPoint].Format == "esm"
		}
	}
	for p := range m.Inputs {
		if strings.HasPrefix(p, runtimeNamespace+":") || strings.HasPrefix(p, dataNamespace+":") {
			continue
		}
		info.inputs = append(info.inputs, filepath.Join(dir, filepath.FromSlash(p)))
	}
	slices.Sort(info.inputs)
	if info.exports == nil {
		info.exports = []string{}
	}
	return info, nil
}

// gojaMessage locates a goja parse error of the bundle in the original source.
func gojaMessage(se *gojaSyntaxError, m *sourceMap) Message {
	msg := Message{Text: fmt.Sprintf("goja cannot parse this: %s", se.msg)}
	if file, line, col, ok := m.original(se.line-1, se.col-1); ok {
		msg.File, msg.Line, msg.Column = file, line+1, col+1
		msg.LineText = m.sourceLine(file, line)
	} else {
		msg.File, msg.Line, msg.Column = bundleName, se.line, se.col
	}
	return msg
}
