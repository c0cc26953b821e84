package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-run/ferry/bindings/r2"
)

// An R2 upload id is "<key tag>.<S3 upload id in base64url>": the key tag
// (the start of the key's SHA-256) tells an id used with another key, and
// an id that does not parse was never made — R2 answers both differently
// from an upload that was completed or aborted, which S3 cannot tell apart.

func keyTag(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:6])
}

func uploadID(key, s3ID string) string {
	return keyTag(key) + "." + base64.RawURLEncoding.EncodeToString([]byte(s3ID))
}

// parseUploadID returns the S3 upload id of an R2 one made for key; ok is
// false for an id never made for key.
func parseUploadID(key, id string) (s3ID string, ok bool) {
	tag, enc, found := strings.Cut(id, ".")
	if !found || tag != keyTag(key) {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// CreateMultipartUpload implements r2.Bucket.
func (b *Bucket) CreateMultipartUpload(ctx context.Context, key string, opts r2.MultipartOptions) (string, error) {
	if err := r2.CheckKey(r2.OpCreate, key); err != nil {
		return "", err
	}
	if err := r2.CheckMetadata(r2.OpCreate, opts.CustomMetadata, opts.StorageClass); err != nil {
		return "", err
	}
	w := writeMetadata{version: newVersion(), uploaded: time.UnixMilli(b.now().UnixMilli()), custom: opts.CustomMetadata}
	s3ID, err := b.createUpload(ctx, r2.OpCreate, key, opts.HTTPMetadata, opts.StorageClass, w)
	if err != nil {
		return "", err
	}
	return uploadID(key, s3ID), nil
}

func (b *Bucket) createUpload(ctx context.Context, op, key string, hm r2.HTTPMetadata, class string, w writeMetadata) (string, error) {
	// The same headers as a put: PutObjectInput's fields, moved over.
	var p s3.PutObjectInput
	setPutHeaders(&p, hm, class, w)
	out, err := b.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &b.bucket, Key: aws.String(s3Key(key)),
		ContentType: p.ContentType, ContentLanguage: p.ContentLanguage, ContentDisposition: p.ContentDisposition,
		ContentEncoding: p.ContentEncoding, CacheControl: p.CacheControl, Expires: p.Expires,
		StorageClass: p.StorageClass, Metadata: p.Metadata,
	})
	if err != nil {
		return "", wrap(op, b.what(key), err)
	}
	return aws.ToString(out.UploadId), nil
}

// UploadPart implements r2.Bucket. A part longer than the part size is
// spooled to a temporary file rather than held in memory (the request must
// be signed, which needs its length and a second read).
func (b *Bucket) UploadPart(ctx context.Context, key, id string, partNumber int, value io.Reader) (r2.UploadedPart, error) {
	if err := r2.CheckKey(r2.OpPart, key); err != nil {
		return r2.UploadedPart{}, err
	}
	if err := r2.CheckPartNumber(partNumber); err != nil {
		return r2.UploadedPart{}, err
	}
	s3ID, ok := parseUploadID(key, id)
	if !ok {
		return r2.UploadedPart{}, r2.ErrNoSuchUpload(r2.OpPart)
	}
	if value == nil {
		value = bytes.NewReader(nil)
	}
	buf, err := readPart(value, nil, b.partSize)
	var body io.ReadSeeker = bytes.NewReader(buf)
	size := int64(len(buf))
	if err == nil {
		f, err := os.CreateTemp("", "ferry-s3-part-*")
		if err != nil {
			return r2.UploadedPart{}, fmt.Errorf("spooling part %d of %s: %w", partNumber, b.what(key), err)
		}
		defer os.Remove(f.Name())
		defer f.Close()
		n, err := io.Copy(f, io.MultiReader(bytes.NewReader(buf), io.LimitReader(value, r2.MaxObjectSize+1-size)))
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			return r2.UploadedPart{}, fmt.Errorf("spooling part %d of %s: %w", partNumber, b.what(key), err)
		}
		if err := r2.CheckSize(r2.OpPart, n); err != nil {
			return r2.UploadedPart{}, err
		}
		body, size, buf = f, n, nil
	} else if err != io.EOF {
		return r2.UploadedPart{}, fmt.Errorf("reading part %d of %s: %w", partNumber, b.what(key), err)
	}
	etag, err := b.uploadPart(ctx, key, s3ID, partNumber, body, size)
	if err != nil {
		return r2.UploadedPart{}, err
	}
	return r2.UploadedPart{PartNumber: partNumber, ETag: etag}, nil
}

// uploadPart uploads one part and returns its etag, unquoted.
func (b *Bucket) uploadPart(ctx context.Context, key, s3ID string, n int, body io.ReadSeeker, size int64) (string, error) {
	out, err := b.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: &b.bucket, Key: aws.String(s3Key(key)), UploadId: &s3ID, PartNumber: aws.Int32(int32(n)),
		Body: body, ContentLength: aws.Int64(size),
	})
	if err != nil {
		if noSuchUpload(err) {
			return "", r2.ErrNoSuchUpload(r2.OpPart)
		}
		// Some S3 emulators (moto) fail parts of a finished upload with a
		// 500 rather than NoSuchUpload: ask about the upload itself.
		if _, status := code(err); status >= 500 {
			_, lerr := b.client.ListParts(ctx, &s3.ListPartsInput{Bucket: &b.bucket, Key: aws.String(s3Key(key)), UploadId: &s3ID, MaxParts: aws.Int32(1)})
			if noSuchUpload(lerr) {
				return "", r2.ErrNoSuchUpload(r2.OpPart)
			}
		}
		return "", wrap(r2.OpPart, fmt.Sprintf("%d of %s", n, b.what(key)), err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`), nil
}

// CompleteMultipartUpload implements r2.Bucket. R2's part rules are checked
// against ListParts first (S3's are looser: it wants no equal sizes).
func (b *Bucket) CompleteMultipartUpload(ctx context.Context, key, id string, parts []r2.UploadedPart) (*r2.Object, error) {
	if err := r2.CheckKey(r2.OpComplete, key); err != nil {
		return nil, err
	}
	s3ID, ok := parseUploadID(key, id)
	if !ok {
		return nil, r2.ErrInternal(r2.OpComplete)
	}
	uploaded := map[int]r2.StoredPart{}
	in := &s3.ListPartsInput{Bucket: &b.bucket, Key: aws.String(s3Key(key)), UploadId: &s3ID}
	for {
		out, err := b.client.ListParts(ctx, in)
		if err != nil {
			if noSuchUpload(err) {
				return nil, r2.ErrNoSuchUpload(r2.OpComplete)
			}
			return nil, wrap(r2.OpComplete, b.what(key), err)
		}
		for _, p := range out.Parts {
			n := int(aws.ToInt32(p.PartNumber))
			uploaded[n] = r2.StoredPart{PartNumber: n, ETag: strings.Trim(aws.ToString(p.ETag), `"`), Size: aws.ToInt64(p.Size)}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.PartNumberMarker = out.NextPartNumberMarker
	}
	plan, err := r2.PlanCompletion(parts, uploaded, r2.MinPartSize)
	if err != nil {
		return nil, err
	}
	if len(plan) == 0 {
		// S3 wants a part: an empty one makes the empty object.
		etag, err := b.uploadPart(ctx, key, s3ID, 1, bytes.NewReader(nil), 0)
		if err != nil {
			return nil, err
		}
		plan = []r2.StoredPart{{PartNumber: 1, ETag: etag}}
	}
	if _, err := b.complete(ctx, r2.OpComplete, key, s3ID, plan, nil, nil); err != nil {
		if noSuchUpload(err) {
			return nil, r2.ErrNoSuchUpload(r2.OpComplete)
		}
		return nil, wrap(r2.OpComplete, b.what(key), err)
	}
	o, err := b.head(ctx, r2.OpComplete, key)
	if err != nil {
		return nil, err
	}
	if o == nil {
		return nil, fmt.Errorf("completing multipart upload of %s: the object was deleted as it was made", b.what(key))
	}
	return &o.Object, nil
}

// complete completes an S3 upload with parts (sorted here, as S3 wants),
// guarded by ifMatch/ifNoneMatch, and returns the object's etag, unquoted.
// Errors are S3's, unwrapped.
func (b *Bucket) complete(ctx context.Context, op, key, s3ID string, parts []r2.StoredPart, ifMatch, ifNoneMatch *string) (string, error) {
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	done := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(p.PartNumber)), ETag: aws.String(`"` + p.ETag + `"`)}
	}
	out, err := b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &b.bucket, Key: aws.String(s3Key(key)), UploadId: &s3ID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
		IfMatch:         ifMatch, IfNoneMatch: ifNoneMatch,
	})
	if err != nil {
		return "", err
	}
	return strings.Trim(aws.ToString(out.ETag), `"`), nil
}

// AbortMultipartUpload implements r2.Bucket.
func (b *Bucket) AbortMultipartUpload(ctx context.Context, key, id string) error {
	if err := r2.CheckKey(r2.OpAbort, key); err != nil {
		return err
	}
	s3ID, ok := parseUploadID(key, id)
	if !ok {
		return r2.ErrInternal(r2.OpAbort)
	}
	return b.abort(ctx, key, s3ID)
}

func (b *Bucket) abort(ctx context.Context, key, s3ID string) error {
	_, err := b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &b.bucket, Key: aws.String(s3Key(key)), UploadId: &s3ID})
	if err != nil && !noSuchUpload(err) { // aborted or completed already: done
		return wrap(r2.OpAbort, b.what(key), err)
	}
	return nil
}

// putMultipart stores a put's value that is longer than one part: first
// is its first part, rest the remainder. One part is in memory at a time.
// The checksums the put gave are stored up front and the upload completed
// only once they are verified; onlyIf is judged before the upload (to spare
// it) and again, guarded, when completing.
func (b *Bucket) putMultipart(ctx context.Context, key string, first []byte, rest io.Reader, hasher *r2.Hasher,
	opts r2.PutOptions, w writeMetadata) (_ *r2.Object, err error) {
	if ok, _, _, err := b.precondition(ctx, r2.OpPut, key, opts.OnlyIf); !ok || err != nil {
		return nil, err
	}
	w.sums = opts.Checksums
	s3ID, err := b.createUpload(ctx, r2.OpPut, key, opts.HTTPMetadata, opts.StorageClass, w)
	if err != nil {
		return nil, err
	}
	completed := false
	defer func() {
		if !completed {
			// Never leave parts behind, even when ctx is what failed.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if aerr := b.abort(actx, key, s3ID); aerr != nil && err != nil {
				err = fmt.Errorf("%w (and %v)", err, aerr)
			}
		}
	}()
	var parts []r2.StoredPart
	var size int64
	buf, last := first, false
	for n := 1; ; n++ {
		size += int64(len(buf))
		if err := r2.CheckSize(r2.OpPut, size); err != nil {
			return nil, err
		}
		etag, err := b.uploadPart(ctx, key, s3ID, n, bytes.NewReader(buf), int64(len(buf)))
		if err != nil {
			return nil, err
		}
		parts = append(parts, r2.StoredPart{PartNumber: n, ETag: etag, Size: int64(len(buf))})
		if last {
			break
		}
		var rerr error
		if buf, rerr = readPart(rest, buf, b.partSize); rerr == io.EOF {
			if len(buf) == 0 {
				break
			}
			last = true
		} else if rerr != nil {
			return nil, fmt.Errorf("reading the value of %s: %w", b.what(key), rerr)
		}
	}
	sums, err := hasher.Verify(r2.OpPut, opts.Checksums)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		ok, ifMatch, ifNoneMatch, err := b.precondition(ctx, r2.OpPut, key, opts.OnlyIf)
		if !ok || err != nil {
			return nil, err
		}
		etag, err := b.complete(ctx, r2.OpPut, key, s3ID, parts, ifMatch, ifNoneMatch)
		if err != nil && opts.OnlyIf != nil && conflict(err) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, wrap(r2.OpPut, b.what(key), err)
		}
		completed = true
		o := written(key, size, opts.HTTPMetadata, opts.StorageClass, w, etag)
		o.Checksums = r2.Checksums{MD5: opts.Checksums.MD5, SHA1: sums.SHA1, SHA256: sums.SHA256, SHA384: sums.SHA384, SHA512: sums.SHA512}
		return o, nil
	}
}
