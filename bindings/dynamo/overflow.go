package dynamo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-run/ferry/bindings/kv"
)

// errGone is an overflow object that is no longer there: a concurrent put or
// delete replaced its item and deleted it.
var errGone = errors.New("the overflow object is gone")

// objectKey names a new overflow object for key: <table>/<sha256 of the
// key>/<random>. The hash makes any KV key (up to 512 bytes, NUL and all) a
// safe, fixed-length object name and groups a key's objects; the random part
// gives every put its own object.
func (n *Namespace) objectKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	var id [16]byte
	rand.Read(id[:]) // never fails (crypto/rand panics instead)
	return n.table + "/" + hex.EncodeToString(sum[:]) + "/" + hex.EncodeToString(id[:])
}

// writeOverflow stores value in a new object of the overflow bucket and
// returns its key.
func (n *Namespace) writeOverflow(ctx context.Context, key string, value []byte) (string, error) {
	object := n.objectKey(key)
	_, err := n.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(n.bucket),
		Key:           aws.String(object),
		Body:          bytes.NewReader(value),
		ContentLength: aws.Int64(int64(len(value))),
		ContentType:   aws.String("application/octet-stream"),
	})
	if err != nil {
		return "", fmt.Errorf("writing a KV value of %d bytes to S3 bucket %q: %w", len(value), n.bucket, err)
	}
	return object, nil
}

// readOverflow reads an overflow object. When limit is not negative and the
// object is larger, it fails with bulk get's size error without reading it.
func (n *Namespace) readOverflow(ctx context.Context, object string, limit int) ([]byte, error) {
	if n.s3 == nil {
		return nil, fmt.Errorf("a KV value is in S3 object %q, but no overflow bucket is configured (%s)", object, overflowHint)
	}
	out, err := n.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(n.bucket), Key: aws.String(object)})
	if err != nil {
		var missing *types.NoSuchKey
		if errors.As(err, &missing) {
			return nil, errGone
		}
		return nil, fmt.Errorf("reading a KV value from S3 bucket %q: %w", n.bucket, err)
	}
	defer out.Body.Close()
	size := aws.ToInt64(out.ContentLength)
	if limit >= 0 && size > int64(limit) {
		return nil, kv.CheckBulkSize(kv.MaxBulkGetSize + 1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(0, min(size, kv.MaxValueSize))))
	if _, err := io.Copy(buf, out.Body); err != nil {
		return nil, fmt.Errorf("reading a KV value from S3 bucket %q: %w", n.bucket, err)
	}
	return buf.Bytes(), nil
}

// deleteOverflow deletes an object no item points to any more. The KV
// operation has succeeded by then, so a failure is logged, not returned: it
// leaves an orphaned object, never a lost value. It runs even when ctx is
// cancelled after the item was written.
func (n *Namespace) deleteOverflow(ctx context.Context, object string) {
	if n.s3 == nil {
		n.log.LogAttrs(ctx, slog.LevelWarn, "KV overflow object left behind: no overflow bucket is configured",
			slog.String("table", n.table), slog.String("object", object))
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := n.s3.DeleteObject(dctx, &s3.DeleteObjectInput{Bucket: aws.String(n.bucket), Key: aws.String(object)}); err != nil {
		n.log.LogAttrs(ctx, slog.LevelWarn, "KV overflow object left behind: "+err.Error(),
			slog.String("table", n.table), slog.String("bucket", n.bucket), slog.String("object", object))
	}
}
