package awsplan

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-run/ferry/adapters/lambda/manifest"
)

// Artifact is a `ferry build --target lambda` package as the provider
// deploys it.
type Artifact struct {
	Zip      string             // path of the zip Lambda gets
	SHA256   string             // base64 SHA-256 of the zip: Lambda's CodeSha256
	Size     int64              // bytes
	Manifest *manifest.Manifest // manifest.json from inside the zip
}

// ReadArtifact reads a Lambda package: path is the zip `ferry build`
// writes (.ferry/lambda.zip), or the build directory next to it
// (.ferry/lambda), which stands for the zip of the same name. The manifest
// is read from inside the zip, so the hash and the manifest always describe
// the same build.
func ReadArtifact(path string) (*Artifact, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Clean(path) + ".zip"
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Ferry build artifact: %w (build it with `ferry build --target lambda`)", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the Ferry build artifact: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("hashing %s: %w", path, err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s is not a zip file: %w", path, err)
	}
	m, err := readManifest(zr, path)
	if err != nil {
		return nil, err
	}
	return &Artifact{Zip: path, SHA256: base64.StdEncoding.EncodeToString(h.Sum(nil)), Size: fi.Size(), Manifest: m}, nil
}

func readManifest(zr *zip.Reader, path string) (*manifest.Manifest, error) {
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if zf.Name != manifest.FileName {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("reading %s in %s: %w", manifest.FileName, path, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("reading %s in %s: %w", manifest.FileName, path, err)
		}
		m, err := manifest.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s in %s: %w", manifest.FileName, path, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%s has no %s at its root (it has %s): is it a `ferry build --target lambda` zip?", path, manifest.FileName, strings.Join(names, ", "))
}

// ReadManifest reads the manifest of a build: a zip, a build directory or a
// manifest.json file.
func ReadManifest(path string) (*manifest.Manifest, error) {
	if strings.HasSuffix(path, ".json") {
		return manifest.Read(path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return manifest.Read(filepath.Join(path, manifest.FileName))
	}
	a, err := ReadArtifact(path)
	if err != nil {
		return nil, err
	}
	return a.Manifest, nil
}
