package s3

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ferry-run/ferry/bindings/r2"
)

// Names of the user metadata (x-amz-meta-*) ferry keeps on each object.
// S3 lowercases metadata names, so they are lower case.
const (
	metaPrefix   = "ferry-"
	metaVersion  = "ferry-version"  // R2's version: 32 random hex digits, new on every write
	metaUploaded = "ferry-uploaded" // R2's upload time, Unix milliseconds
	metaCustom   = "ferry-meta"     // custom metadata that cannot be a header of its own
	metaUntyped  = "ferry-untyped"  // "1": no Content-Type (S3 would report a default)
	metaMD5      = "ferry-md5"      // a given MD5 of an object S3 stored in parts
	metaSHA1     = "ferry-sha1"     // hex digests a put gave and ferry verified
	metaSHA256   = "ferry-sha256"
	metaSHA384   = "ferry-sha384"
	metaSHA512   = "ferry-sha512"
)

// emptyKey is the S3 key of R2's empty key: S3 keys have at least one byte.
// Keys that start with it get one more in front, so the mapping is
// one-to-one and keeps the order of keys (a tab sorts before every printable
// character).
const emptyKey = "\t"

// s3Key returns the S3 key of an R2 key.
func s3Key(key string) string {
	if key == "" || strings.HasPrefix(key, emptyKey) {
		return emptyKey + key
	}
	return key
}

// r2Key returns the R2 key of an S3 key.
func r2Key(key string) string {
	return strings.TrimPrefix(key, emptyKey)
}

// s3Prefix returns the S3 prefix matching the R2 keys with prefix p.
func s3Prefix(p string) string {
	if p == "" {
		return ""
	}
	return s3Key(p)
}

// storageClass maps R2's storage classes to S3's.
func storageClass(c string) types.StorageClass {
	if c == r2.StorageInfrequent {
		return types.StorageClassStandardIa
	}
	return types.StorageClassStandard
}

func r2StorageClass(c string) string {
	if c == string(types.StorageClassStandardIa) {
		return r2.StorageInfrequent
	}
	return r2.StorageStandard
}

func newVersion() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// plainMetaName reports whether a custom metadata key can be its own
// x-amz-meta- header and come back unchanged: S3 lowercases names and
// HTTP allows only tokens.
func plainMetaName(k string) bool {
	if k == "" || strings.HasPrefix(k, metaPrefix) {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// plainMetaValue reports whether a value survives as a header value as it
// is: printable ASCII (S3 signs and stores headers as ASCII) without the
// white space HTTP trims.
func plainMetaValue(v string) bool {
	if v == "" || v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7E {
			return false
		}
	}
	return true
}

// writeMetadata is what ferry stores about an object besides its bytes.
type writeMetadata struct {
	version  string
	uploaded time.Time
	untyped  bool // no Content-Type given
	custom   map[string]string
	sums     r2.Checksums // the SHA ones, and MD5 only for multipart objects
}

// s3Metadata returns the x-amz-meta- map for an object.
func (w writeMetadata) s3Metadata() map[string]string {
	m := map[string]string{
		metaVersion:  w.version,
		metaUploaded: strconv.FormatInt(w.uploaded.UnixMilli(), 10),
	}
	if w.untyped {
		m[metaUntyped] = "1"
	}
	rest := map[string]string{}
	for k, v := range w.custom {
		if plainMetaName(k) && plainMetaValue(v) {
			m[k] = v
		} else {
			rest[k] = v
		}
	}
	if len(rest) > 0 {
		j, _ := json.Marshal(rest) // a map of strings always marshals
		m[metaCustom] = base64.RawURLEncoding.EncodeToString(j)
	}
	for name, sum := range map[string][]byte{metaMD5: w.sums.MD5, metaSHA1: w.sums.SHA1,
		metaSHA256: w.sums.SHA256, metaSHA384: w.sums.SHA384, metaSHA512: w.sums.SHA512} {
		if sum != nil {
			m[name] = hex.EncodeToString(sum)
		}
	}
	return m
}

// attrs are the object attributes of a HEAD or GET response.
type attrs struct {
	etag         *string
	size         *int64
	lastModified *time.Time
	storageClass types.StorageClass
	metadata     map[string]string
	http         r2.HTTPMetadata
}

// object is an R2 object with the S3 ETag that guards writes against it.
type object struct {
	r2.Object
	s3ETag string // as S3 sends it, quoted
}

// toObject builds an R2 object from S3's attributes and ferry's metadata.
// Objects ferry did not write (no ferry-version) get a version derived from
// their ETag and time, and their S3 time as upload time.
func toObject(key string, a attrs) (*object, error) {
	o := &object{}
	if a.etag != nil {
		o.s3ETag = *a.etag
	}
	o.Key = key
	o.ETag = strings.Trim(o.s3ETag, `"`)
	if a.size != nil {
		o.Size = *a.size
	}
	o.StorageClass = r2StorageClass(string(a.storageClass))
	hm := a.http
	o.HTTPMetadata = &hm
	o.CustomMetadata = map[string]string{}
	var lastModified time.Time
	if a.lastModified != nil {
		lastModified = *a.lastModified
	}
	o.Uploaded = time.UnixMilli(lastModified.UnixMilli())
	for k, v := range a.metadata {
		k = strings.ToLower(k)
		if !strings.HasPrefix(k, metaPrefix) {
			o.CustomMetadata[k] = v
			continue
		}
		switch k {
		case metaVersion:
			o.Version = v
		case metaUntyped:
			o.HTTPMetadata.ContentType = ""
		case metaUploaded:
			ms, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("reading the upload time of %q: %w", key, err)
			}
			o.Uploaded = time.UnixMilli(ms)
		case metaCustom:
			j, err := base64.RawURLEncoding.DecodeString(v)
			rest := map[string]string{}
			if err == nil {
				err = json.Unmarshal(j, &rest)
			}
			if err != nil {
				return nil, fmt.Errorf("reading the custom metadata of %q: %w", key, err)
			}
			for k, v := range rest {
				o.CustomMetadata[k] = v
			}
		case metaMD5, metaSHA1, metaSHA256, metaSHA384, metaSHA512:
			sum, err := hex.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("reading the checksums of %q: %w", key, err)
			}
			*map[string]*[]byte{metaMD5: &o.Checksums.MD5, metaSHA1: &o.Checksums.SHA1, metaSHA256: &o.Checksums.SHA256,
				metaSHA384: &o.Checksums.SHA384, metaSHA512: &o.Checksums.SHA512}[k] = sum
		}
	}
	if o.Version == "" {
		h := md5.Sum([]byte(o.s3ETag + "@" + lastModified.UTC().Format(time.RFC3339Nano)))
		o.Version = hex.EncodeToString(h[:])
	}
	// A single-part object's ETag is its MD5 (on S3 without KMS).
	if sum, err := hex.DecodeString(o.ETag); err == nil && len(sum) == md5.Size && o.Checksums.MD5 == nil {
		o.Checksums.MD5 = sum
	}
	return o, nil
}

// httpDate reads an Expires header value (nil or unparsable: absent).
func httpDate(s *string) time.Time {
	if s == nil {
		return time.Time{}
	}
	t, err := http.ParseTime(*s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
