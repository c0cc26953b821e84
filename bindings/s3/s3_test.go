//go:build linux

package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/bindings/r2/r2test"
	"github.com/ferry-run/ferry/bindings/s3"
	"github.com/ferry-run/ferry/internal/testutil"
)

// Two conformance tests assert what S3 cannot store, and run adapted below
// (TestMultipartOnS3, TestMultipartPartRulesOnS3):
//   - Multipart: the completed object's upload time is the completion time;
//     S3 takes metadata only when the upload is created, so here it is the
//     creation time. Completing with no parts has etag "…-0" in R2 and
//     "…-1" here (S3 needs a part).
//   - MultipartPartRules: re-uploading a part with the same bytes must give
//     a new etag; S3's part etag is the part's MD5, so it stays.
//
// They are skipped with -skip unless the command line sets its own.
func TestMain(m *testing.M) {
	if f := flag.Lookup("test.skip"); f != nil && f.Value.String() == "" {
		flag.Set("test.skip", "TestConformance/^(Multipart|MultipartPartRules)$")
	}
	os.Exit(m.Run())
}

var ctx = context.Background()

var bucketSeq atomic.Int64

type counted struct {
	sent atomic.Int64 // request body bytes the transport sent
}

func (c *counted) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body = &countingBody{ReadCloser: req.Body, n: &c.sent}
	}
	return http.DefaultTransport.RoundTrip(req)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// newClient returns an S3 client for moto and a new bucket's name.
func newClient(t *testing.T, opts ...func(*awss3.Options)) (*awss3.Client, string) {
	t.Helper()
	url := testutil.Moto(t)
	client := awss3.New(awss3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
	}, opts...)
	name := fmt.Sprintf("ferry-r2-%d", bucketSeq.Add(1))
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("creating bucket: %v", err)
	}
	return client, name
}

func TestConformance(t *testing.T) {
	r2test.Run(t, func(t *testing.T, now r2.Clock) r2.Bucket {
		client, name := newClient(t)
		return s3.New(client, name, s3.WithClock(now))
	})
}

func part(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func multipartETag(parts ...[]byte) string {
	var sums []byte
	for _, p := range parts {
		s := md5.Sum(p)
		sums = append(sums, s[:]...)
	}
	return md5hex(sums) + fmt.Sprintf("-%d", len(parts))
}

func wantError(t *testing.T, err error, want string) {
	t.Helper()
	var e *r2.Error
	if !errors.As(err, &e) || e.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func upload(t *testing.T, b r2.Bucket, key, id string, n int, value []byte) r2.UploadedPart {
	t.Helper()
	p, err := b.UploadPart(ctx, key, id, n, bytes.NewReader(value))
	if err != nil || p.PartNumber != n || p.ETag == "" {
		t.Fatalf("UploadPart(%d) = %+v, %v", n, p, err)
	}
	return p
}

func readAll(t *testing.T, b r2.Bucket, key string, opts r2.GetOptions) (*r2.GetResult, []byte) {
	t.Helper()
	res, err := b.Get(ctx, key, opts)
	if err != nil || res == nil || res.Body == nil {
		t.Fatalf("Get(%q) = %v, %v", key, res, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, data
}

// TestMultipartOnS3 is the suite's Multipart test with S3's upload time
// (the upload's creation) and S3's etag for an upload completed empty.
func TestMultipartOnS3(t *testing.T) {
	t.Parallel()
	client, name := newClient(t)
	clock := r2test.NewClock(r2test.Start)
	b := s3.New(client, name, s3.WithClock(clock.Now))
	created := time.UnixMilli(clock.Now().UnixMilli())
	hm := r2.HTTPMetadata{ContentType: "video/mp4", CacheControl: "no-cache"}
	id, err := b.CreateMultipartUpload(ctx, "movie.mp4", r2.MultipartOptions{HTTPMetadata: hm, CustomMetadata: map[string]string{"by": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2, p3 := part('1', r2.MinPartSize), part('2', r2.MinPartSize), []byte("the end")
	u3 := upload(t, b, "movie.mp4", id, 3, p3)
	u1 := upload(t, b, "movie.mp4", id, 1, p1)
	u2 := upload(t, b, "movie.mp4", id, 2, p2)
	if h, _ := b.Head(ctx, "movie.mp4"); h != nil {
		t.Fatal("an upload in progress is visible")
	}
	clock.Advance(time.Second)
	o, err := b.CompleteMultipartUpload(ctx, "movie.mp4", id, []r2.UploadedPart{u2, u1, u3})
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join([][]byte{p1, p2, p3}, nil)
	if o.Size != int64(len(whole)) || o.ETag != multipartETag(p1, p2, p3) || !o.Uploaded.Equal(created) ||
		o.Checksums.MD5 != nil || o.HTTPMetadata.ContentType != "video/mp4" || o.HTTPMetadata.CacheControl != "no-cache" ||
		!reflect.DeepEqual(o.CustomMetadata, map[string]string{"by": "test"}) {
		t.Fatalf("completed object = %+v", o)
	}
	if h, _ := b.Head(ctx, "movie.mp4"); h == nil || h.ETag != o.ETag || h.Version != o.Version || !h.Uploaded.Equal(created) {
		t.Errorf("Head = %+v", h)
	}
	if _, data := readAll(t, b, "movie.mp4", r2.GetOptions{}); !bytes.Equal(data, whole) {
		t.Fatal("multipart object bytes differ")
	}
	off, n := int64(r2.MinPartSize-1), int64(r2.MinPartSize+2)
	if res, data := readAll(t, b, "movie.mp4", r2.GetOptions{Range: &r2.Range{Offset: &off, Length: &n}}); !bytes.Equal(data, whole[off:off+n]) ||
		*res.Range != (r2.ByteRange{Offset: off, Length: n}) {
		t.Error("range across parts: wrong bytes")
	}
	// No parts: the empty object, with the etag of one empty part.
	id4, _ := b.CreateMultipartUpload(ctx, "none", r2.MultipartOptions{})
	if o, err := b.CompleteMultipartUpload(ctx, "none", id4, nil); err != nil || o.Size != 0 || o.ETag != multipartETag(nil) {
		t.Errorf("no parts = %+v, %v", o, err)
	}
	// Gaps in part numbers.
	id5, _ := b.CreateMultipartUpload(ctx, "gaps", r2.MultipartOptions{})
	g2 := upload(t, b, "gaps", id5, 2, part('2', r2.MinPartSize))
	g5 := upload(t, b, "gaps", id5, 5, []byte("five"))
	if o, err := b.CompleteMultipartUpload(ctx, "gaps", id5, []r2.UploadedPart{g2, g5}); err != nil || o.Size != r2.MinPartSize+4 {
		t.Errorf("parts with gaps = %+v, %v", o, err)
	}
}

// TestMultipartPartRulesOnS3 is the suite's MultipartPartRules test, where
// a part re-uploaded with the same bytes keeps its etag (S3's part MD5).
func TestMultipartPartRulesOnS3(t *testing.T) {
	t.Parallel()
	client, name := newClient(t)
	b := s3.New(client, name)
	small := "completeMultipartUpload: Your proposed upload is smaller than the minimum allowed object size. (10011)"
	badUpload := "completeMultipartUpload: There was a problem with the multipart upload. (10048)"
	notFound := "completeMultipartUpload: One or more of the specified parts could not be found. (10025)"
	internal := "completeMultipartUpload: We encountered an internal error. Please try again. (10001)"
	min := r2.MinPartSize

	id, _ := b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	a := upload(t, b, "k", id, 1, part('a', min-1))
	c := upload(t, b, "k", id, 2, []byte("end"))
	_, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{a, c})
	wantError(t, err, small)
	a = upload(t, b, "k", id, 1, part('a', min))
	if o, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{a, c}); err != nil || o.Size != int64(min+3) {
		t.Fatalf("after replacing the small part: %+v %v", o, err)
	}

	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p1 := upload(t, b, "k", id, 1, []byte("1"))
	p2 := upload(t, b, "k", id, 2, part('2', min))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p2, p1})
	wantError(t, err, badUpload)
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	p1 = upload(t, b, "k", id, 1, part('1', min))
	p2 = upload(t, b, "k", id, 2, part('2', min+1))
	p3 := upload(t, b, "k", id, 3, []byte("3"))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{p1, p2, p3})
	wantError(t, err, badUpload)

	// Re-uploading: same bytes, same etag; other bytes, the old etag fails.
	id, _ = b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	old := upload(t, b, "k", id, 1, []byte("value"))
	if again := upload(t, b, "k", id, 1, []byte("value")); again.ETag != old.ETag {
		t.Errorf("same bytes, etag %s then %s", old.ETag, again.ETag)
	}
	fresh := upload(t, b, "k", id, 1, []byte("other"))
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{old})
	wantError(t, err, notFound)
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{{PartNumber: 7, ETag: fresh.ETag}})
	wantError(t, err, notFound)
	_, err = b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{fresh, fresh})
	wantError(t, err, internal)
	other, _ := b.CreateMultipartUpload(ctx, "k", r2.MultipartOptions{})
	_, err = b.CompleteMultipartUpload(ctx, "k", other, []r2.UploadedPart{fresh})
	wantError(t, err, notFound)
	if o, err := b.CompleteMultipartUpload(ctx, "k", id, []r2.UploadedPart{fresh}); err != nil || o.Size != 5 {
		t.Fatalf("complete with the fresh part: %+v %v", o, err)
	}
	if _, data := readAll(t, b, "k", r2.GetOptions{}); string(data) != "other" {
		t.Errorf("completed object = %q", data)
	}
	if _, err := b.UploadPart(ctx, "k", other, 0, strings.NewReader("x")); err == nil {
		t.Error("part 0 accepted")
	}
}

// pattern is an io.Reader of n bytes of unknown length (no Len, no Seek)
// that records how far it ran ahead of what the transport sent.
type pattern struct {
	n, read  int64
	sent     *atomic.Int64
	maxAhead int64
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.read == p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.read, 64<<10)]
	for i := range b {
		b[i] = byte((p.read + int64(i)) * 7 / 5)
	}
	p.read += int64(len(b))
	p.maxAhead = max(p.maxAhead, p.read-p.sent.Load())
	return len(b), nil
}

// TestStreamingPut: a 20 MiB value of unknown length goes through a
// multipart upload of 8 MiB parts, read no further than one part ahead of
// what went out on the wire.
func TestStreamingPut(t *testing.T) {
	t.Parallel()
	tr := &counted{}
	client, name := newClient(t, func(o *awss3.Options) { o.HTTPClient = &http.Client{Transport: tr} })
	b := s3.New(client, name)
	const size = 20 << 20
	src := &pattern{n: size, sent: &tr.sent}
	o, err := b.Put(ctx, "big", src, r2.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	whole, _ := io.ReadAll(&pattern{n: size, sent: new(atomic.Int64)})
	want := multipartETag(whole[:8<<20], whole[8<<20:16<<20], whole[16<<20:])
	if o.ETag != want || o.Size != size {
		t.Fatalf("Put = etag %s size %d, want %s (three parts)", o.ETag, o.Size, want)
	}
	// Every part was sent before the next one was read (plus the byte that
	// tells whether there is more).
	if src.maxAhead > s3.DefaultPartSize+1 {
		t.Errorf("the value was read %d bytes ahead of the wire, more than one part", src.maxAhead)
	}
	head, err := client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &name, Key: aws.String("big"), PartNumber: aws.Int32(1)})
	if err != nil || aws.ToInt32(head.PartsCount) != 3 || aws.ToInt64(head.ContentLength) != 8<<20 {
		t.Errorf("S3 part 1: %+v, %v", head, err)
	}
	res, data := readAll(t, b, "big", r2.GetOptions{})
	if !bytes.Equal(data, whole) || res.ETag != want {
		t.Error("streamed object reads back differently")
	}
	// A checksum that does not match leaves nothing behind.
	bad := make([]byte, 32)
	_, err = b.Put(ctx, "big2", &pattern{n: size, sent: &tr.sent}, r2.PutOptions{Checksums: r2.Checksums{SHA256: bad}})
	var e *r2.Error
	if !errors.As(err, &e) || e.Code != r2.CodeBadDigest {
		t.Fatalf("bad SHA-256 = %v", err)
	}
	if h, _ := b.Head(ctx, "big2"); h != nil {
		t.Error("a put with a bad checksum stored the object")
	}
	ups, err := client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: &name})
	if err != nil || len(ups.Uploads) != 0 {
		t.Errorf("uploads left behind: %+v, %v", ups, err)
	}
}

// TestS3View: what other S3 tools see of an R2 object.
func TestS3View(t *testing.T) {
	t.Parallel()
	client, name := newClient(t)
	b := s3.New(client, name)
	_, err := b.Put(ctx, "", strings.NewReader("v"), r2.PutOptions{
		CustomMetadata: map[string]string{"author": "ferry", "Mixed": "x", "unicode": "été"},
		HTTPMetadata:   r2.HTTPMetadata{ContentType: "text/plain"}, StorageClass: r2.StorageInfrequent,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &name, Key: aws.String("\t")})
	if err != nil {
		t.Fatal(err)
	}
	if h.Metadata["author"] != "ferry" || aws.ToString(h.ContentType) != "text/plain" || h.StorageClass != types.StorageClassStandardIa {
		t.Errorf("S3 sees %+v", h)
	}
	if _, ok := h.Metadata["unicode"]; ok {
		t.Error("a non-ASCII value went out as a header")
	}
}

// TestConditionalPutRace: an object changed between the HEAD that judges
// onlyIf and the write makes S3 refuse the write (If-Match), and the put
// judges again.
func TestConditionalPutRace(t *testing.T) {
	t.Parallel()
	client, name := newClient(t)
	b := s3.New(client, name)
	first, err := b.Put(ctx, "k", strings.NewReader("one"), r2.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Sneak a write in after the put's first HEAD.
	var once sync.Once
	racy := s3.New(awss3.New(client.Options(), func(o *awss3.Options) {
		o.HTTPClient = &sneaky{after: func(req *http.Request) {
			if req.Method == http.MethodHead {
				once.Do(func() {
					if _, err := b.Put(ctx, "k", strings.NewReader("intruder"), r2.PutOptions{}); err != nil {
						t.Error(err)
					}
				})
			}
		}}
	}), name)
	o, err := racy.Put(ctx, "k", strings.NewReader("two"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagMatches: []r2.Etag{{Value: first.ETag}}}})
	if err != nil || o != nil {
		t.Fatalf("put over a changed object = %+v, %v", o, err)
	}
	if _, data := readAll(t, b, "k", r2.GetOptions{}); string(data) != "intruder" {
		t.Errorf("stored %q, want the intruder's write", data)
	}
}

type sneaky struct{ after func(*http.Request) }

func (s *sneaky) Do(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		s.after(req)
	}
	return res, err
}
