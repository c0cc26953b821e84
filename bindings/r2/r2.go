// Package r2 is the Workers R2 binding seen from Go: the Bucket interface
// every implementation (bindings/local on files and SQLite, a remote one
// later) satisfies, and the rules they all share — limits, conditional
// requests, ranges, checksums, list pagination, multipart completion — so an
// object that is too big, or a range that cannot be served, fails with R2's
// words everywhere:
//
//	get: The requested range is not satisfiable (10039)
//
// Implementations call the Check functions and helpers here and return their
// *Error unchanged; the JS glue (core/env) turns an *Error into the JS error
// Workers code sees. bindings/r2/r2test is the conformance suite every
// implementation must pass.
//
// This package imports no JS engine.
package r2

import (
	"context"
	"io"
	"time"
)

// Cloudflare's documented R2 limits.
const (
	MaxKeySize            = 1024          // bytes of UTF-8
	MaxCustomMetadataSize = 2048          // see CustomMetadataSize
	MaxListLimit          = 1000          // objects and prefixes per list call, also the default
	MaxDeleteKeys         = 1000          // keys per delete call
	MaxObjectSize         = 5<<30 - 5<<20 // one put or one part: 5 GiB less 5 MiB
	MinPartSize           = 5 << 20       // every part of a multipart upload but the last
	MaxPartNumber         = 10000         // part numbers are 1..MaxPartNumber
	MaxMultipartSize      = MaxPartNumber * MaxObjectSize
	StorageStandard       = "Standard"         // the default storage class
	StorageInfrequent     = "InfrequentAccess" // the other one
)

// HTTPMetadata is what R2 stores to replay as HTTP headers
// (R2Object.writeHttpMetadata). Empty strings and the zero time are absent.
type HTTPMetadata struct {
	ContentType        string
	ContentLanguage    string
	ContentDisposition string
	ContentEncoding    string
	CacheControl       string
	CacheExpiry        time.Time // milliseconds; the Expires header
}

// Checksums are an object's digests. MD5 is always there for objects put in
// one piece; multipart objects have none. The others are there when the put
// gave them (and they matched).
type Checksums struct {
	MD5, SHA1, SHA256, SHA384, SHA512 []byte
}

// ByteRange is the part of an object a get returned.
type ByteRange struct {
	Offset, Length int64
}

// Object is an object's metadata (R2Object).
type Object struct {
	Key     string
	Version string // random hex, new on every write
	Size    int64
	// ETag is the hex MD5 of the value, or for a multipart object the MD5 of
	// its parts' MD5s followed by "-" and the number of parts.
	ETag     string
	Uploaded time.Time // milliseconds
	// HTTPMetadata and CustomMetadata are nil only in List results that did
	// not ask for them (ListOptions.Include...); otherwise non-nil, maybe empty.
	HTTPMetadata   *HTTPMetadata
	CustomMetadata map[string]string
	Checksums      Checksums
	StorageClass   string
	// Range is set on Get results: the bytes Body holds.
	Range *ByteRange
}

// HTTPETag is the ETag as an HTTP header value: quoted.
func (o *Object) HTTPETag() string { return `"` + o.ETag + `"` }

// GetResult is what Get found: the object's metadata and, unless a
// precondition failed, its bytes (the whole object or the requested range).
type GetResult struct {
	Object
	// Body reads the bytes in Range; the caller must close it. It is nil when
	// GetOptions.OnlyIf did not hold (R2 then returns the object without a
	// body). A Body stays readable after the object is overwritten or deleted.
	Body io.ReadCloser
}

// Range asks for part of an object. With Suffix, the last Suffix bytes;
// otherwise Length bytes (default: to the end) from Offset (default 0).
// Nil fields are absent.
type Range struct {
	Offset, Length, Suffix *int64
}

// GetOptions are get's options.
type GetOptions struct {
	OnlyIf *Conditional
	Range  *Range
	// RangeHeader is an HTTP Range header value (get's range given as
	// Headers). A single satisfiable range is served; anything else (several
	// ranges, bad syntax) serves the whole object, as R2 does.
	RangeHeader string
}

// PutOptions are put's options.
type PutOptions struct {
	OnlyIf         *Conditional
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	// Checksums the value must have: at most one of them set (the JS glue
	// enforces it). A mismatch fails the put with BadDigest.
	Checksums    Checksums
	StorageClass string // "" means StorageStandard
}

// MultipartOptions are createMultipartUpload's options.
type MultipartOptions struct {
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	StorageClass   string
}

// ListOptions select objects for List.
type ListOptions struct {
	Prefix     string
	Limit      int    // 1..MaxListLimit; 0 means MaxListLimit
	Cursor     string // from the previous page's ListResult.Cursor
	StartAfter string // list keys after this one (exclusive)
	// Delimiter groups keys that contain it after Prefix: each group is one
	// entry of DelimitedPrefixes (the key up to and including the
	// delimiter) instead of its objects.
	Delimiter string
	// Which metadata the objects carry; without, their HTTPMetadata and
	// CustomMetadata are nil.
	IncludeHTTPMetadata, IncludeCustomMetadata bool
}

// ListResult is one page of a list, in UTF-8 byte order of the keys. Limit
// counts objects and delimited prefixes together.
type ListResult struct {
	Objects           []Object
	DelimitedPrefixes []string
	Truncated         bool
	Cursor            string // set when Truncated
}

// UploadedPart identifies an uploaded part when completing an upload.
type UploadedPart struct {
	PartNumber int
	ETag       string
}

// Bucket is one R2 bucket. Methods are safe for concurrent use. Errors from
// R2's rules are *Error values worded as Cloudflare's; other errors are the
// store's own (I/O), which callers report as internal errors.
//
// Example:
//
//	obj, err := b.Put(ctx, "hello.txt", strings.NewReader("hi"), r2.PutOptions{})
//	res, err := b.Get(ctx, "hello.txt", r2.GetOptions{})
//	defer res.Body.Close()
type Bucket interface {
	// Head returns the object's metadata, or nil when there is none.
	Head(ctx context.Context, key string) (*Object, error)
	// Get returns the object, or nil when there is none.
	Get(ctx context.Context, key string, opts GetOptions) (*GetResult, error)
	// Put stores what value reads (to EOF) under key. It returns nil, and
	// stores nothing, when opts.OnlyIf does not hold.
	Put(ctx context.Context, key string, value io.Reader, opts PutOptions) (*Object, error)
	// Delete removes the keys (1..MaxDeleteKeys); missing keys are no error.
	Delete(ctx context.Context, keys []string) error
	// List returns one page of objects.
	List(ctx context.Context, opts ListOptions) (ListResult, error)

	// CreateMultipartUpload starts an upload to key and returns its id.
	CreateMultipartUpload(ctx context.Context, key string, opts MultipartOptions) (uploadID string, err error)
	// UploadPart stores part partNumber (1..MaxPartNumber) of an upload,
	// replacing an earlier upload of the same number.
	UploadPart(ctx context.Context, key, uploadID string, partNumber int, value io.Reader) (UploadedPart, error)
	// CompleteMultipartUpload makes the parts, in part-number order, the
	// object under key.
	CompleteMultipartUpload(ctx context.Context, key, uploadID string, parts []UploadedPart) (*Object, error)
	// AbortMultipartUpload drops an upload and its parts. Aborting an
	// aborted or completed upload does nothing.
	AbortMultipartUpload(ctx context.Context, key, uploadID string) error
}

// Clock tells the time; implementations take one so tests can move time.
type Clock func() time.Time
