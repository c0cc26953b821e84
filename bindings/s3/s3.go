// Package s3 is the Workers R2 binding (bindings/r2.Bucket) on Amazon S3 or
// an S3-compatible store: one S3 bucket per R2 binding, object key = R2 key.
// Configure the *s3.Client for other stores (BaseEndpoint, UsePathStyle).
//
// How R2 maps onto S3:
//
//   - Keys: S3 has no empty key, so R2's "" is stored as "\t", and keys that
//     start with a tab get one more in front. Order and prefixes are kept.
//   - httpMetadata is S3's Content-Type, Content-Language,
//     Content-Disposition, Content-Encoding, Cache-Control and Expires
//     (Expires holds whole seconds). customMetadata entries whose name is a
//     lower-case token and whose value is printable ASCII are x-amz-meta-<name>
//     headers, readable by any S3 tool; the others (S3 lowercases names and
//     signs ASCII) go together, as base64 JSON, in x-amz-meta-ferry-meta.
//     S3 allows 2 KB of such metadata where R2 counts 2048 UTF-16 units, so
//     a put near R2's limit with non-ASCII text can fail on S3 with an error
//     naming the S3 limit.
//   - ferry keeps R2's version (x-amz-meta-ferry-version, new on every write)
//     and upload time in milliseconds (x-amz-meta-ferry-uploaded, from the
//     Bucket's clock) beside them, and x-amz-meta-ferry-untyped when the put
//     gave no Content-Type (S3 reports a default one). The etag is S3's ETag: the MD5 of the value,
//     or for multipart objects the MD5 of the parts' MD5s and "-N", which is
//     R2's rule too. SHA-1/256/384/512 checksums a put gave are verified while
//     the value streams and kept as x-amz-meta-ferry-sha*; the object is only
//     committed if they match (S3 has no SHA-384/512 of its own).
//   - storageClass Standard is STANDARD, InfrequentAccess is STANDARD_IA.
//   - get's range is a Range header; a failing onlyIf needs the object's
//     metadata without its bytes, so a conditional get HEADs first and then
//     GETs with If-Match on the ETag it judged (retrying if it changed).
//   - put's onlyIf is judged on a HEAD, and the write carries If-Match with
//     the ETag judged (If-None-Match: * when there was no object), so a
//     concurrent write makes S3 refuse it and ferry judges again. S3 compares
//     ETags only: a concurrent rewrite with the same bytes but other metadata
//     slips through, which matters only for uploadedBefore/After. Stores that
//     ignore conditional writes leave the window between HEAD and write open.
//   - put reads the value up to one part (8 MiB, WithPartSize): a value that
//     ends there is one PutObject with Content-MD5; a longer one streams
//     through an S3 multipart upload holding one part in memory at a time, so
//     its etag has the multipart form and its checksums.md5 is only there
//     when the put gave one.
//   - list is ListObjectsV2, whose MaxKeys counts keys and common prefixes
//     as R2's limit does. It returns no metadata, so the listed objects are
//     HEADed, at most WithListConcurrency at a time, for their version,
//     upload time, checksums and (when asked) metadata.
//   - multipart uploads are S3 multipart uploads. The upload id wraps S3's id
//     with a hash of the key, so an id that was never made, or is used with
//     another key, fails as R2 fails it. Completion checks R2's part rules on
//     ListParts before asking S3. S3 part etags are the part's MD5, so
//     re-uploading identical bytes keeps the etag (R2 issues a new one), and
//     an object's upload time is when its upload was created, since S3 takes
//     no metadata at completion. S3 needs at least one part: completing with
//     none stores one empty part (etag "…-1" where R2 says "…-0").
//   - delete is DeleteObject, or DeleteObjects in chunks of 1000.
//
// Errors S3 answers for R2's cases (NoSuchKey, PreconditionFailed, 416
// InvalidRange, NoSuchUpload) come back as the same r2 errors bindings/local
// returns.
package s3

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-run/ferry/bindings/r2"
)

// DefaultPartSize is the part size of puts too long for one PutObject.
const DefaultPartSize = 8 << 20

// Bucket is an R2 bucket stored in one S3 bucket.
type Bucket struct {
	client          *s3.Client
	bucket          string
	now             r2.Clock
	partSize        int
	listConcurrency int
}

var _ r2.Bucket = (*Bucket)(nil)

// Option configures a Bucket.
type Option func(*Bucket)

// WithClock sets the clock that stamps upload times (default time.Now).
func WithClock(now r2.Clock) Option { return func(b *Bucket) { b.now = now } }

// WithPartSize sets how much of a put's value is held in memory: values up to
// this size are one PutObject, longer ones an S3 multipart upload of parts
// this size. It is at least r2.MinPartSize (5 MiB).
func WithPartSize(n int) Option {
	return func(b *Bucket) { b.partSize = max(n, r2.MinPartSize) }
}

// WithListConcurrency bounds the HEAD requests a list makes at once
// (default 16).
func WithListConcurrency(n int) Option {
	return func(b *Bucket) { b.listConcurrency = max(n, 1) }
}

// New returns the R2 bucket stored in the S3 bucket named bucket. The bucket
// must exist.
//
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	b := s3.New(awss3.NewFromConfig(cfg), "my-bucket")
func New(client *s3.Client, bucket string, opts ...Option) *Bucket {
	b := &Bucket{client: client, bucket: bucket, now: time.Now, partSize: DefaultPartSize, listConcurrency: 16}
	for _, o := range opts {
		o(b)
	}
	return b
}

func (b *Bucket) what(key string) string {
	return fmt.Sprintf("%q in S3 bucket %q", key, b.bucket)
}

// Head implements r2.Bucket.
func (b *Bucket) Head(ctx context.Context, key string) (*r2.Object, error) {
	if err := r2.CheckKey(r2.OpHead, key); err != nil {
		return nil, err
	}
	o, err := b.head(ctx, r2.OpHead, key)
	if o == nil || err != nil {
		return nil, err
	}
	return &o.Object, nil
}

// head returns the object under key, or nil.
func (b *Bucket) head(ctx context.Context, op, key string) (*object, error) {
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.bucket, Key: aws.String(s3Key(key))})
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		return nil, wrap(op, b.what(key), err)
	}
	return toObject(key, attrs{
		etag: out.ETag, size: out.ContentLength, lastModified: out.LastModified, storageClass: out.StorageClass,
		metadata: out.Metadata, http: r2.HTTPMetadata{
			ContentType: deref(out.ContentType), ContentLanguage: deref(out.ContentLanguage),
			ContentDisposition: deref(out.ContentDisposition), ContentEncoding: deref(out.ContentEncoding),
			CacheControl: deref(out.CacheControl), CacheExpiry: httpDate(out.ExpiresString),
		},
	})
}

// Get implements r2.Bucket.
func (b *Bucket) Get(ctx context.Context, key string, opts r2.GetOptions) (*r2.GetResult, error) {
	if err := r2.CheckKey(r2.OpGet, key); err != nil {
		return nil, err
	}
	rangeHeader, err := b.rangeHeader(ctx, key, opts)
	if err != nil || rangeHeader == nil {
		return nil, err // a bad range on a missing object: no object
	}
	for attempt := 0; ; attempt++ {
		in := &s3.GetObjectInput{Bucket: &b.bucket, Key: aws.String(s3Key(key))}
		if *rangeHeader != "" {
			in.Range = rangeHeader
		}
		if opts.OnlyIf != nil {
			// Judge the condition on the metadata, then fetch the bytes of
			// the very object judged.
			o, err := b.head(ctx, r2.OpGet, key)
			if o == nil || err != nil {
				return nil, err
			}
			if !opts.OnlyIf.Holds(&o.Object) {
				return &r2.GetResult{Object: o.Object}, nil
			}
			in.IfMatch = aws.String(o.s3ETag)
		}
		res, err := b.get(ctx, key, in, opts)
		if err != nil && conflict(err) && attempt < 5 {
			continue // changed since the HEAD: judge again
		}
		if err != nil {
			return nil, err
		}
		if res != nil && opts.OnlyIf != nil && !opts.OnlyIf.Holds(&res.Object) {
			// Same bytes, other metadata: judged on what is returned.
			res.Body.Close()
			res.Body, res.Range = nil, nil
		}
		return res, nil
	}
}

// get runs a GetObject and builds its result.
func (b *Bucket) get(ctx context.Context, key string, in *s3.GetObjectInput, opts r2.GetOptions) (*r2.GetResult, error) {
	out, err := b.client.GetObject(ctx, in)
	if err != nil {
		if notFound(err) {
			return nil, nil
		}
		if c, status := code(err); c == "InvalidRange" || status == 416 {
			if opts.Range != nil {
				return nil, errInvalidRange(r2.OpGet)
			}
			// An unsatisfiable Range header serves the whole object.
			in.Range = nil
			return b.get(ctx, key, in, opts)
		}
		return nil, wrap(r2.OpGet, b.what(key), err)
	}
	size := aws.ToInt64(out.ContentLength)
	rng := r2.ByteRange{Offset: 0, Length: size}
	if cr := aws.ToString(out.ContentRange); cr != "" {
		m := contentRange.FindStringSubmatch(cr)
		if m == nil {
			out.Body.Close()
			return nil, fmt.Errorf("getting %s: bad Content-Range %q", b.what(key), cr)
		}
		first, _ := strconv.ParseInt(m[1], 10, 64)
		last, _ := strconv.ParseInt(m[2], 10, 64)
		size, _ = strconv.ParseInt(m[3], 10, 64)
		rng = r2.ByteRange{Offset: first, Length: last - first + 1}
	}
	o, err := toObject(key, attrs{
		etag: out.ETag, size: &size, lastModified: out.LastModified, storageClass: out.StorageClass,
		metadata: out.Metadata, http: r2.HTTPMetadata{
			ContentType: deref(out.ContentType), ContentLanguage: deref(out.ContentLanguage),
			ContentDisposition: deref(out.ContentDisposition), ContentEncoding: deref(out.ContentEncoding),
			CacheControl: deref(out.CacheControl), CacheExpiry: httpDate(out.ExpiresString),
		},
	})
	if err != nil {
		out.Body.Close()
		return nil, err
	}
	o.Range = &rng
	return &r2.GetResult{Object: o.Object, Body: out.Body}, nil
}

var contentRange = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)

// rangeHeader returns the Range header for a get ("" for the whole object).
// A range R2 refuses whatever the size fails if the object exists; on a
// missing object it returns nil (the get finds no object).
func (b *Bucket) rangeHeader(ctx context.Context, key string, opts r2.GetOptions) (*string, error) {
	h := ""
	if r := opts.Range; r != nil {
		bad := false
		switch {
		case r.Suffix != nil:
			bad = *r.Suffix <= 0
			h = fmt.Sprintf("bytes=-%d", *r.Suffix)
		default:
			var off int64
			if r.Offset != nil {
				off = *r.Offset
			}
			bad = off < 0 || r.Length != nil && *r.Length <= 0
			if r.Length != nil && !bad {
				h = fmt.Sprintf("bytes=%d-%d", off, off+*r.Length-1)
			} else {
				h = fmt.Sprintf("bytes=%d-", off)
			}
		}
		if bad {
			o, err := b.head(ctx, r2.OpGet, key)
			if o == nil || err != nil {
				return nil, err
			}
			return nil, errInvalidRange(r2.OpGet)
		}
	} else if opts.RangeHeader != "" {
		// One well-formed byte range goes to S3; anything else is the
		// whole object, as R2 serves it.
		if m := rangeSpec.FindStringSubmatch(opts.RangeHeader); m != nil && (m[1] != "" || m[2] != "") {
			first, errF := strconv.ParseUint(m[1], 10, 63)
			last, errL := strconv.ParseUint(m[2], 10, 63)
			switch {
			case m[1] == "" && errL == nil && last > 0:
				h = "bytes=-" + m[2]
			case m[1] != "" && errF == nil && m[2] == "":
				h = "bytes=" + m[1] + "-"
			case errF == nil && errL == nil && last >= first:
				h = "bytes=" + m[1] + "-" + m[2]
			}
		}
	}
	return &h, nil
}

var rangeSpec = regexp.MustCompile(`^\s*(?i:bytes)\s*=\s*(\d*)\s*-\s*(\d*)\s*$`)

// Put implements r2.Bucket.
func (b *Bucket) Put(ctx context.Context, key string, value io.Reader, opts r2.PutOptions) (*r2.Object, error) {
	if err := r2.CheckPut(key, opts); err != nil {
		return nil, err
	}
	if value == nil {
		value = bytes.NewReader(nil)
	}
	hasher := r2.NewHasher(opts.Checksums)
	value = io.TeeReader(value, hasher)
	first, err := readPart(value, nil, b.partSize)
	more := false
	if err == nil {
		// A full part: is there more?
		var one [1]byte
		n, err1 := io.ReadFull(value, one[:])
		if n == 1 {
			more = true
			value = io.MultiReader(bytes.NewReader(one[:]), value)
		} else if err1 != io.EOF {
			err = err1
		}
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading the value of %s: %w", b.what(key), err)
	}
	w := writeMetadata{version: newVersion(), uploaded: time.UnixMilli(b.now().UnixMilli()), custom: opts.CustomMetadata}
	if more {
		return b.putMultipart(ctx, key, first, value, hasher, opts, w)
	}
	sums, err := hasher.Verify(r2.OpPut, opts.Checksums)
	if err != nil {
		return nil, err
	}
	w.sums = r2.Checksums{SHA1: sums.SHA1, SHA256: sums.SHA256, SHA384: sums.SHA384, SHA512: sums.SHA512}
	for attempt := 0; ; attempt++ {
		ok, ifMatch, ifNoneMatch, err := b.precondition(ctx, r2.OpPut, key, opts.OnlyIf)
		if !ok || err != nil {
			return nil, err
		}
		in := &s3.PutObjectInput{
			Bucket: &b.bucket, Key: aws.String(s3Key(key)), Body: bytes.NewReader(first),
			ContentLength: aws.Int64(int64(len(first))),
			ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sums.MD5)),
			IfMatch:       ifMatch, IfNoneMatch: ifNoneMatch,
		}
		setPutHeaders(in, opts.HTTPMetadata, opts.StorageClass, w)
		out, err := b.client.PutObject(ctx, in)
		if err != nil && opts.OnlyIf != nil && conflict(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, wrap(r2.OpPut, b.what(key), err)
		}
		o := written(key, int64(len(first)), opts.HTTPMetadata, opts.StorageClass, w, aws.ToString(out.ETag))
		o.Checksums = sums
		return o, nil
	}
}

// readPart reads up to size bytes into buf (growing it as needed, never
// past size). The error is io.EOF when the value ended.
func readPart(r io.Reader, buf []byte, size int) ([]byte, error) {
	buf = buf[:0]
	for len(buf) < size {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), 64<<10), size))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// precondition judges onlyIf against the stored object and returns the
// guard that makes S3 refuse the write if that object changes meanwhile.
func (b *Bucket) precondition(ctx context.Context, op, key string, cond *r2.Conditional) (ok bool, ifMatch, ifNoneMatch *string, err error) {
	if cond == nil {
		return true, nil, nil, nil
	}
	o, err := b.head(ctx, op, key)
	if err != nil {
		return false, nil, nil, err
	}
	if o == nil {
		return cond.Holds(nil), nil, aws.String("*"), nil
	}
	return cond.Holds(&o.Object), aws.String(o.s3ETag), nil, nil
}

func setPutHeaders(in *s3.PutObjectInput, hm r2.HTTPMetadata, class string, w writeMetadata) {
	in.ContentType = optional(hm.ContentType)
	in.ContentLanguage = optional(hm.ContentLanguage)
	in.ContentDisposition = optional(hm.ContentDisposition)
	in.ContentEncoding = optional(hm.ContentEncoding)
	in.CacheControl = optional(hm.CacheControl)
	if !hm.CacheExpiry.IsZero() {
		in.Expires = aws.Time(hm.CacheExpiry)
	}
	in.StorageClass = storageClass(class)
	w.untyped = hm.ContentType == ""
	in.Metadata = w.s3Metadata()
}

// written is the object a write stored.
func written(key string, size int64, hm r2.HTTPMetadata, class string, w writeMetadata, etag string) *r2.Object {
	custom := make(map[string]string, len(w.custom))
	for k, v := range w.custom {
		custom[k] = v
	}
	if !hm.CacheExpiry.IsZero() {
		hm.CacheExpiry = hm.CacheExpiry.Truncate(time.Second) // what Expires keeps
	}
	if class == "" {
		class = r2.StorageStandard
	}
	return &r2.Object{
		Key: key, Version: w.version, Size: size, ETag: strings.Trim(etag, `"`), Uploaded: w.uploaded,
		HTTPMetadata: &hm, CustomMetadata: custom, Checksums: w.sums, StorageClass: class,
	}
}

// Delete implements r2.Bucket.
func (b *Bucket) Delete(ctx context.Context, keys []string) error {
	if err := r2.CheckDelete(keys); err != nil {
		return err
	}
	if len(keys) == 1 {
		_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.bucket, Key: aws.String(s3Key(keys[0]))})
		if err != nil && !notFound(err) {
			return wrap(r2.OpDelete, b.what(keys[0]), err)
		}
		return nil
	}
	const chunk = 1000 // DeleteObjects' limit
	for start := 0; start < len(keys); start += chunk {
		ids := []types.ObjectIdentifier{}
		seen := map[string]bool{}
		for _, k := range keys[start:min(start+chunk, len(keys))] {
			if !seen[k] { // S3 refuses a key twice in one request
				seen[k] = true
				ids = append(ids, types.ObjectIdentifier{Key: aws.String(s3Key(k))})
			}
		}
		out, err := b.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &b.bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return wrap(r2.OpDelete, fmt.Sprintf("%d objects from S3 bucket %q", len(ids), b.bucket), err)
		}
		for _, e := range out.Errors {
			if aws.ToString(e.Code) != "NoSuchKey" {
				return fmt.Errorf("deleting %s: %s: %s", b.what(r2Key(aws.ToString(e.Key))), aws.ToString(e.Code), aws.ToString(e.Message))
			}
		}
	}
	return nil
}

// List implements r2.Bucket.
func (b *Bucket) List(ctx context.Context, opts r2.ListOptions) (r2.ListResult, error) {
	limit, after, hasAfter, empty, err := r2.CheckList(opts)
	res := r2.ListResult{Objects: []r2.Object{}, DelimitedPrefixes: []string{}}
	if err != nil || empty {
		return res, err
	}
	in := &s3.ListObjectsV2Input{Bucket: &b.bucket, MaxKeys: aws.Int32(int32(limit)), Prefix: optional(s3Prefix(opts.Prefix)),
		Delimiter: optional(opts.Delimiter)}
	if hasAfter {
		in.StartAfter = aws.String(s3Key(after))
	}
	out, err := b.client.ListObjectsV2(ctx, in)
	if err != nil {
		return res, wrap(r2.OpList, fmt.Sprintf("S3 bucket %q", b.bucket), err)
	}
	// S3 returns objects and prefixes apart, each sorted; the page is both
	// merged. The cursor is the last entry's key, or for a prefix a key
	// after all of the prefix's keys.
	keys := make([]string, 0, len(out.Contents))
	for _, c := range out.Contents {
		keys = append(keys, r2Key(aws.ToString(c.Key)))
	}
	prefixes := make([]string, 0, len(out.CommonPrefixes))
	for _, p := range out.CommonPrefixes {
		prefixes = append(prefixes, r2Key(aws.ToString(p.Prefix)))
	}
	objs, err := b.headAll(ctx, keys)
	if err != nil {
		return res, err
	}
	last, lastIsPrefix := "", false
	for i, j := 0, 0; i < len(keys) || j < len(prefixes); {
		if j == len(prefixes) || i < len(keys) && keys[i] < prefixes[j] {
			if o := objs[i]; o != nil {
				if !opts.IncludeHTTPMetadata {
					o.HTTPMetadata = nil
				}
				if !opts.IncludeCustomMetadata {
					o.CustomMetadata = nil
				}
				res.Objects = append(res.Objects, o.Object)
			}
			last, lastIsPrefix = keys[i], false
			i++
		} else {
			res.DelimitedPrefixes = append(res.DelimitedPrefixes, prefixes[j])
			last, lastIsPrefix = prefixes[j], true
			j++
		}
	}
	if aws.ToBool(out.IsTruncated) {
		res.Truncated = true
		if lastIsPrefix {
			last = pastPrefix(last)
		}
		res.Cursor = r2.Cursor(last)
	}
	return res, nil
}

// pastPrefix returns a key at least as great as every key of at most
// r2.MaxKeySize bytes that starts with p: p then U+10FFFF, the greatest
// character, to the size limit.
func pastPrefix(p string) string {
	var sb strings.Builder
	sb.WriteString(p)
	for sb.Len()+4 <= r2.MaxKeySize {
		sb.WriteRune(0x10FFFF)
	}
	return sb.String()
}

// headAll HEADs keys, at most b.listConcurrency at a time; an object gone
// meanwhile is nil.
func (b *Bucket) headAll(ctx context.Context, keys []string) ([]*object, error) {
	objs := make([]*object, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, b.listConcurrency)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			objs[i], errs[i] = b.head(ctx, r2.OpList, k)
		}()
	}
	wg.Wait()
	return objs, errors.Join(errs...)
}
