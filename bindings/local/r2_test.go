package local_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/bindings/local"
	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/bindings/r2/r2test"
)

func openR2(t *testing.T, dir string, now r2.Clock) *local.R2 {
	t.Helper()
	st, err := local.Open(dir, local.WithClock(kv.Clock(now)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := st.R2("test-bucket")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestR2ConformanceOnDisk(t *testing.T) {
	r2test.Run(t, func(t *testing.T, now r2.Clock) r2.Bucket { return openR2(t, t.TempDir(), now) })
}

func TestR2ConformanceInMemory(t *testing.T) {
	r2test.Run(t, func(t *testing.T, now r2.Clock) r2.Bucket { return openR2(t, "", now) })
}

// blobFiles lists the object files under a state directory.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "r2", "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestR2PersistsAcrossOpens(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := st.R2("bucket-a")
	b, _ := st.R2("bucket-b")
	if _, err := a.Put(ctx, "k", strings.NewReader("in a"), r2.PutOptions{CustomMetadata: map[string]string{"x": "1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(ctx, "k", strings.NewReader("in b"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	id, _ := a.CreateMultipartUpload(ctx, "mp", r2.MultipartOptions{})
	p, err := a.UploadPart(ctx, "mp", id, 1, strings.NewReader("multipart"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CompleteMultipartUpload(ctx, "mp", id, []r2.UploadedPart{p}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.R2("bucket-a"); err == nil {
		t.Error("R2 on a closed store worked")
	}

	st2, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	a2, _ := st2.R2("bucket-a")
	for key, want := range map[string]string{"k": "in a", "mp": "multipart"} {
		res, err := a2.Get(ctx, key, r2.GetOptions{})
		if err != nil || res == nil {
			t.Fatalf("after reopen, %s: %v %v", key, res, err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(data) != want {
			t.Errorf("after reopen, %s = %q", key, data)
		}
	}
	b2, _ := st2.R2("bucket-b")
	if h, _ := b2.Head(ctx, "k"); h == nil || h.Size != 4 {
		t.Errorf("bucket-b k = %+v", h)
	}
	names, err := st2.R2Buckets(ctx)
	if err != nil || strings.Join(names, ",") != "bucket-a,bucket-b" {
		t.Errorf("R2Buckets = %q, %v", names, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "r2.sqlite")); err != nil {
		t.Error(err)
	}
	if n := len(blobFiles(t, dir)); n != 3 {
		t.Errorf("%d blob files, want 3", n)
	}
}

// Replaced and deleted objects leave no files behind, except while a body
// still reads them.
func TestR2RemovesUnusedBlobs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b := openR2(t, dir, time.Now)
	put := func(key, value string) {
		t.Helper()
		if _, err := b.Put(ctx, key, strings.NewReader(value), r2.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	put("k", "one")
	put("k", "two")
	put("other", "x")
	if n := len(blobFiles(t, dir)); n != 2 {
		t.Fatalf("%d blobs after an overwrite, want 2", n)
	}
	res, err := b.Get(ctx, "k", r2.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(ctx, []string{"k"}); err != nil {
		t.Fatal(err)
	}
	if n := len(blobFiles(t, dir)); n != 2 {
		t.Fatalf("%d blobs while a body reads a deleted object, want 2", n)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(data) != "two" {
		t.Fatalf("body = %q", data)
	}
	if n := len(blobFiles(t, dir)); n != 1 {
		t.Fatalf("%d blobs after the body closed, want 1", n)
	}
	// Aborting an upload removes its parts; a refused put leaves nothing.
	id, _ := b.CreateMultipartUpload(ctx, "mp", r2.MultipartOptions{})
	if _, err := b.UploadPart(ctx, "mp", id, 1, strings.NewReader("part")); err != nil {
		t.Fatal(err)
	}
	if err := b.AbortMultipartUpload(ctx, "mp", id); err != nil {
		t.Fatal(err)
	}
	if o, err := b.Put(ctx, "other", strings.NewReader("y"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagMatches: []r2.Etag{{Value: "nope"}}}}); o != nil || err != nil {
		t.Fatal(o, err)
	}
	if n := len(blobFiles(t, dir)); n != 1 {
		t.Fatalf("%d blobs after abort and a refused put, want 1", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "r2", "tmp")); len(entries) != 0 {
		t.Errorf("temporary files left: %d", len(entries))
	}
}

// What a crash leaves (a temporary file, a blob no row points at) is
// removed on the next open once it is old enough to belong to no writer.
func TestR2SweepsCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	b := openR2(t, dir, time.Now)
	if _, err := b.Put(ctx, "k", strings.NewReader("kept"), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	orphan := filepath.Join(dir, "r2", "blobs", "0123456789abcdef0123456789abcdef")
	young := filepath.Join(dir, "r2", "blobs", "fedcba9876543210fedcba9876543210")
	tmp := filepath.Join(dir, "r2", "tmp", "put-123")
	for _, f := range []string{orphan, young, tmp} {
		if err := os.WriteFile(f, []byte("junk"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{orphan, tmp} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range blobFiles(t, dir) {
		p := filepath.Join(dir, "r2", "blobs", f)
		if p != orphan && p != young {
			_ = os.Chtimes(p, old, old) // the live blob is old too: it must stay
		}
	}
	b2 := openR2(t, dir, time.Now)
	for f, want := range map[string]bool{orphan: false, tmp: false, young: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
	res, err := b2.Get(ctx, "k", r2.GetOptions{})
	if err != nil || res == nil {
		t.Fatal(res, err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(data) != "kept" {
		t.Errorf("live object = %q", data)
	}
}
