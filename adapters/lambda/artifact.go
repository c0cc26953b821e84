package lambdaadapter

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dop251/goja/parser"
	"github.com/go-sourcemap/sourcemap"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
	"github.com/ferry-run/ferry/core/script"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// Artifact is a Lambda deployment package as WriteArtifact left it.
type Artifact struct {
	Dir     string     // the unpacked package: bootstrap, bundle, maps, manifest
	Zip     string     // Dir + ".zip", the same files, ready for Lambda
	ZipSize int64      // bytes
	Files   []FileInfo // what went in, in zip order
}

// FileInfo is one file of an Artifact.
type FileInfo struct {
	Name string
	Size int64
}

// zipTime is the modification time of every zip entry: identical builds give
// identical zips, so a deployment tool's hash only changes with the content.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteArtifact writes the Lambda package for a built Worker into dir (made
// if needed) and zips it to dir+".zip". bootstrap is the path of the ferry
// binary for the function's architecture; it is copied unless it already is
// dir/bootstrap. m.Bundle, m.SourceMap and m.EngineMap are set here.
func WriteArtifact(dir string, m *manifest.Manifest, b *script.Result, bootstrap string) (*Artifact, error) {
	m.Runtime, m.Handler = manifest.Runtime, manifest.BootstrapExe
	if err := WriteBundle(dir, m, b); err != nil {
		return nil, err
	}
	bootPath := filepath.Join(dir, manifest.BootstrapExe)
	if !samePath(bootstrap, bootPath) {
		if err := copyFile(bootstrap, bootPath, 0o755); err != nil {
			return nil, fmt.Errorf("copying the bootstrap: %w", err)
		}
	}

	art := &Artifact{Dir: dir, Zip: filepath.Clean(dir) + ".zip"}
	tmp := art.Zip + ".tmp"
	zf, err := os.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("creating the zip: %w", err)
	}
	defer os.Remove(tmp)
	zw := zip.NewWriter(zf)
	names := []string{manifest.BootstrapExe, manifest.BundleFile, manifest.SourceMap, manifest.EngineMap, manifest.FileName}
	for _, name := range names {
		size, err := addToZip(zw, filepath.Join(dir, name), name)
		if err != nil {
			zf.Close()
			return nil, fmt.Errorf("zipping %s: %w", name, err)
		}
		art.Files = append(art.Files, FileInfo{Name: name, Size: size})
	}
	if err := zw.Close(); err != nil {
		zf.Close()
		return nil, fmt.Errorf("writing the zip: %w", err)
	}
	if err := zf.Close(); err != nil {
		return nil, fmt.Errorf("writing the zip: %w", err)
	}
	if err := os.Rename(tmp, art.Zip); err != nil {
		return nil, fmt.Errorf("writing the zip: %w", err)
	}
	st, err := os.Stat(art.Zip)
	if err != nil {
		return nil, err
	}
	art.ZipSize = st.Size()
	return art, nil
}

// WriteBundle writes the bundle, its two source maps and the manifest into
// dir (made if needed), as LoadArtifact reads them; m.Schema, m.Bundle,
// m.SourceMap and m.EngineMap are set here. WriteArtifact and the other
// targets that ship the bundle as files (a container image) use it.
func WriteBundle(dir string, m *manifest.Manifest, b *script.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	engineMap, err := engineSourceMap(b.SourceMap)
	if err != nil {
		return err
	}
	m.Schema = manifest.Schema
	m.Bundle, m.SourceMap, m.EngineMap = manifest.BundleFile, manifest.SourceMap, manifest.EngineMap
	mj, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("encoding the manifest: %w", err)
	}
	files := []struct {
		name string
		data []byte
	}{
		{manifest.BundleFile, b.Code},
		{manifest.SourceMap, b.SourceMap},
		{manifest.EngineMap, engineMap},
		{manifest.FileName, mj},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	return nil
}

func addToZip(zw *zip.Writer, path, name string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
	mode := os.FileMode(0o644)
	if name == manifest.BootstrapExe {
		mode = 0o755 // Lambda runs bootstrap: it must stay executable
	}
	hdr.SetMode(mode)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(w, f)
	return st.Size(), err
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// LoadArtifact reads the manifest and the bundle from a Lambda package
// directory (the bootstrap's own directory on Lambda, /var/task) and parses
// the bundle with its source map attached, ready for core.New. Parsing is the
// only work proportional to the bundle's size; it happens once per process.
func LoadArtifact(dir string) (*manifest.Manifest, *script.Result, error) {
	m, err := manifest.Read(filepath.Join(dir, manifest.FileName))
	if err != nil {
		return nil, nil, err
	}
	code, err := os.ReadFile(filepath.Join(dir, m.Bundle))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the bundle: %w", err)
	}
	// A bundle that reads bodies or uses streams gets the streams script
	// compiled while it loads, rather than in its first request.
	streams.Prefetch(code)
	// The source map parses while the bundle does: init time is what a cold
	// start waits for.
	type mapResult struct {
		c   *sourcemap.Consumer
		err error
	}
	mapc := make(chan mapResult, 1)
	go func() {
		if m.EngineMap == "" {
			mapc <- mapResult{}
			return
		}
		mj, err := os.ReadFile(filepath.Join(dir, m.EngineMap))
		if err != nil {
			mapc <- mapResult{err: fmt.Errorf("reading the source map: %w", err)}
			return
		}
		c, err := sourcemap.Parse(m.Bundle, mj)
		if err != nil {
			err = fmt.Errorf("reading the source map %s: %w", m.EngineMap, err)
		}
		mapc <- mapResult{c, err}
	}()
	prg, err := parser.ParseFile(nil, m.Bundle, string(code), 0, parser.WithDisableSourceMaps)
	sm := <-mapc
	if err != nil {
		return nil, nil, fmt.Errorf("parsing the bundle %s: %w", m.Bundle, err)
	}
	if sm.err != nil {
		return nil, nil, sm.err
	}
	if sm.c != nil {
		prg.File.SetSourceMap(sm.c)
	}
	res := &script.Result{Code: code, Program: prg, Format: script.ModuleFormat}
	if m.Format == "service-worker" {
		res.Format = script.ServiceWorkerFormat
	}
	return m, res, nil
}
