package r2

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Operation names as they start error messages ("get: ...").
const (
	OpHead     = "head"
	OpGet      = "get"
	OpPut      = "put"
	OpDelete   = "delete"
	OpList     = "list"
	OpCreate   = "createMultipartUpload"
	OpPart     = "uploadPart"
	OpComplete = "completeMultipartUpload"
	OpAbort    = "abortMultipartUpload"
)

// Error is a rejected R2 operation. R2's own errors (Kind "") read
// "<op>: <message> (<code>)", as workerd reports them; argument errors the
// runtime raises before calling R2 have Kind "TypeError", "RangeError" or
// "Error" and read as Message alone.
type Error struct {
	Op      string
	Code    int // R2's error code (v4code)
	Status  int // the HTTP status R2 answers with
	Message string
	Kind    string
}

func (e *Error) Error() string {
	if e.Kind != "" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s (%d)", e.Op, e.Message, e.Code)
}

// R2's error codes (developers.cloudflare.com/r2/api/error-codes).
const (
	CodeInternalError      = 10001
	CodeEntityTooLarge     = 100100
	CodeEntityTooSmall     = 10011
	CodeMetadataTooLarge   = 10012
	CodeInvalidObjectName  = 10020
	CodeInvalidMaxKeys     = 10022
	CodeNoSuchUpload       = 10024
	CodeInvalidPart        = 10025
	CodeInvalidArgument    = 10029
	CodePreconditionFailed = 10031
	CodeBadDigest          = 10037
	CodeInvalidRange       = 10039
	CodeInvalidStorage     = 10040
	CodeBadUpload          = 10048
)

func r2Error(op string, code, status int, msg string) *Error {
	return &Error{Op: op, Code: code, Status: status, Message: msg}
}

// ErrInternal is R2's catch-all, which it also answers for an unknown upload
// id on complete and abort.
func ErrInternal(op string) *Error {
	return r2Error(op, CodeInternalError, 500, "We encountered an internal error. Please try again.")
}

// ErrNoSuchUpload is an upload that was completed or aborted (or never
// existed, for uploadPart).
func ErrNoSuchUpload(op string) *Error {
	return r2Error(op, CodeNoSuchUpload, 400, "The specified multipart upload does not exist.")
}

func errEntityTooLarge(op string) *Error {
	return r2Error(op, CodeEntityTooLarge, 400, "Your proposed upload exceeds the maximum allowed object size.")
}

func argError(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// CheckKey validates an object key (R2 allows the empty key).
func CheckKey(op, key string) error {
	if len(key) > MaxKeySize {
		return r2Error(op, CodeInvalidObjectName, 400, "The specified object name is not valid.")
	}
	return nil
}

// CustomMetadataSize is the size R2 counts for custom metadata: per key and
// value, its length in UTF-16 code units, doubled when it has any character
// beyond Latin-1.
func CustomMetadataSize(m map[string]string) int {
	n := 0
	for k, v := range m {
		n += serialisedLength(k) + serialisedLength(v)
	}
	return n
}

func serialisedLength(s string) int {
	units, wide := 0, false
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			units += 2
			wide = true
		case r >= 0x100:
			units++
			wide = true
		default:
			units++
		}
	}
	if wide {
		return units * 2
	}
	return units
}

// CheckMetadata validates custom metadata and the storage class of a put or
// a new multipart upload.
func CheckMetadata(op string, custom map[string]string, storageClass string) error {
	if CustomMetadataSize(custom) > MaxCustomMetadataSize {
		return r2Error(op, CodeMetadataTooLarge, 400, "Your metadata headers exceed the maximum allowed metadata size.")
	}
	switch storageClass {
	case "", StorageStandard, StorageInfrequent:
		return nil
	}
	return r2Error(op, CodeInvalidStorage, 400, "The storage class you specified is not valid.")
}

// CheckPut validates a put before its value is read.
func CheckPut(key string, opts PutOptions) error {
	if err := CheckKey(OpPut, key); err != nil {
		return err
	}
	return CheckMetadata(OpPut, opts.CustomMetadata, opts.StorageClass)
}

// CheckSize fails a value (a put or a part) larger than MaxObjectSize.
func CheckSize(op string, size int64) error {
	if size > MaxObjectSize {
		return errEntityTooLarge(op)
	}
	return nil
}

// CheckDelete validates the keys of a delete.
func CheckDelete(keys []string) error {
	if len(keys) > MaxDeleteKeys {
		return r2Error(OpDelete, CodeInvalidArgument, 400, fmt.Sprintf("You can delete at most %d objects at once.", MaxDeleteKeys))
	}
	for _, k := range keys {
		if err := CheckKey(OpDelete, k); err != nil {
			return err
		}
	}
	return nil
}

// CheckPartNumber validates a part number as the runtime does.
func CheckPartNumber(n int) error {
	if n < 1 || n > MaxPartNumber {
		return argError("TypeError", "Part number must be between 1 and %d (inclusive). Actual value was: %d", MaxPartNumber, n)
	}
	return nil
}

// CheckList validates list options and returns the page size and the key
// the page starts after ("" with ok false for the start of the bucket). An
// undecodable cursor lists nothing (empty is true), as R2 does.
func CheckList(opts ListOptions) (limit int, after string, hasAfter, empty bool, err error) {
	limit = opts.Limit
	if limit == 0 {
		limit = MaxListLimit
	}
	if limit < 1 || limit > MaxListLimit {
		return 0, "", false, false, r2Error(OpList, CodeInvalidMaxKeys, 400, "MaxKeys params must be positive integer <= 1000.")
	}
	if opts.StartAfter != "" {
		after, hasAfter = opts.StartAfter, true
	}
	if opts.Cursor != "" {
		b, derr := base64.RawURLEncoding.DecodeString(opts.Cursor)
		if derr != nil {
			return limit, "", false, true, nil
		}
		if c := string(b); !hasAfter || c > after {
			after, hasAfter = c, true
		}
	}
	return limit, after, hasAfter, false, nil
}

// Cursor returns the opaque cursor for the page after the key last. Every
// implementation uses it, so cursors work across them.
func Cursor(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

// DelimitedPrefix returns the delimited prefix key belongs to in a list with
// prefix and delimiter ("" when it is listed as an object).
func DelimitedPrefix(key, prefix, delimiter string) string {
	if delimiter == "" || !strings.HasPrefix(key, prefix) {
		return ""
	}
	if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
		return key[:len(prefix)+i+len(delimiter)]
	}
	return ""
}

// PrefixEnd returns the smallest byte string greater than every string with
// the prefix, or nil when there is none (empty or all-0xFF prefix).
func PrefixEnd(prefix string) []byte {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}

// ResolveRange returns the bytes a get serves from an object of size bytes:
// the range asked for, clamped to the object, or all of it.
func ResolveRange(op string, opts GetOptions, size int64) (ByteRange, error) {
	all := ByteRange{Offset: 0, Length: size}
	if opts.Range == nil {
		if opts.RangeHeader != "" {
			if r, ok := parseRangeHeader(opts.RangeHeader, size); ok {
				return r, nil
			}
		}
		return all, nil
	}
	unsatisfiable := r2Error(op, CodeInvalidRange, 416, "The requested range is not satisfiable")
	r := opts.Range
	var offset, length int64
	switch {
	case r.Suffix != nil:
		suffix := *r.Suffix
		if suffix <= 0 {
			return ByteRange{}, unsatisfiable
		}
		suffix = min(suffix, size)
		offset, length = size-suffix, suffix
	default:
		if r.Offset != nil {
			offset = *r.Offset
		}
		if r.Length != nil {
			length = *r.Length
		} else {
			length = size - offset
		}
		if offset < 0 || offset > size || length <= 0 {
			return ByteRange{}, unsatisfiable
		}
		length = min(length, size-offset)
	}
	return ByteRange{Offset: offset, Length: length}, nil
}

// parseRangeHeader reads a Range header with a single byte range
// (RFC 9110 §14.1.2); ok is false for anything else.
func parseRangeHeader(h string, size int64) (ByteRange, bool) {
	unit, spec, found := strings.Cut(strings.TrimSpace(h), "=")
	if !found || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return ByteRange{}, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return ByteRange{}, false
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" { // suffix: the last N bytes
		n, ok := num(last)
		if !ok || n == 0 || size == 0 {
			return ByteRange{}, false
		}
		n = min(n, size)
		return ByteRange{Offset: size - n, Length: n}, true
	}
	start, ok := num(first)
	if !ok || start >= size {
		return ByteRange{}, false
	}
	end := size - 1
	if last != "" {
		e, ok := num(last)
		if !ok || e < start {
			return ByteRange{}, false
		}
		end = min(e, size-1)
	}
	return ByteRange{Offset: start, Length: end - start + 1}, true
}

// Etag is one entity tag of a condition: a value compared strongly or
// weakly, or the wildcard "*".
type Etag struct {
	Value    string
	Weak     bool
	Wildcard bool
}

// Conditional is onlyIf: conditions on the stored object (RFC 9110 §13),
// given as R2Conditional or as request headers. Absent conditions are nil
// or zero.
type Conditional struct {
	EtagMatches      []Etag    // If-Match
	EtagDoesNotMatch []Etag    // If-None-Match
	UploadedBefore   time.Time // If-Unmodified-Since
	UploadedAfter    time.Time // If-Modified-Since
	// SecondsGranularity compares times in whole seconds (as HTTP dates are).
	SecondsGranularity bool
}

// Holds reports whether the conditions hold for obj (nil: no object). With
// no object only If-Match and If-Modified-Since can fail. A date condition
// is skipped when the matching etag condition is given and passed, as HTTP
// says.
func (c *Conditional) Holds(obj *Object) bool {
	if c == nil {
		return true
	}
	if obj == nil {
		return c.EtagMatches == nil && c.UploadedAfter.IsZero()
	}
	ifMatch := c.EtagMatches == nil || etagIn(c.EtagMatches, obj.ETag, false)
	ifNoneMatch := c.EtagDoesNotMatch == nil || !etagIn(c.EtagDoesNotMatch, obj.ETag, true)
	ms := func(t time.Time) int64 {
		v := t.UnixMilli()
		if c.SecondsGranularity {
			v -= v % 1000
		}
		return v
	}
	uploaded := ms(obj.Uploaded)
	modifiedSince := c.UploadedAfter.IsZero() || ms(c.UploadedAfter) < uploaded ||
		(c.EtagDoesNotMatch != nil && ifNoneMatch)
	unmodifiedSince := c.UploadedBefore.IsZero() || uploaded < ms(c.UploadedBefore) ||
		(c.EtagMatches != nil && ifMatch)
	return ifMatch && ifNoneMatch && modifiedSince && unmodifiedSince
}

func etagIn(list []Etag, etag string, weak bool) bool {
	for _, e := range list {
		if e.Wildcard || (e.Value == etag && (weak || !e.Weak)) {
			return true
		}
	}
	return false
}

// ConditionalEtag turns an R2Conditional etag string into an Etag. R2 wants
// it unquoted; "*" is the wildcard.
func ConditionalEtag(s string) (Etag, error) {
	if len(s) >= 2 && strings.HasPrefix(s, `"`) && strings.HasSuffix(s, `"`) {
		return Etag{}, argError("TypeError", "Conditional ETag should not be wrapped in quotes (%s).", s)
	}
	if s == "*" {
		return Etag{Wildcard: true}, nil
	}
	return Etag{Value: s}, nil
}

// ParseEtagHeader reads an If-Match or If-None-Match header: a comma list of
// "strong" and W/"weak" tags, or "*".
func ParseEtagHeader(h string) ([]Etag, error) {
	out := []Etag{}
	s := h
	needComma := false
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out, nil
		}
		if s[0] == ',' {
			s, needComma = s[1:], false
			continue
		}
		if needComma {
			what := "a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag."
			switch s[0] {
			case '*':
				what = "a wildcard character '*' instead."
			case '"':
				what = `a double quote character '"' instead. This would otherwise indicate the start of a new strong etag.`
			}
			return nil, argError("Error", "Comma was expected to separate etags. Encountered %s", what)
		}
		switch {
		case s[0] == '*':
			return []Etag{{Wildcard: true}}, nil
		case s[0] == '"' || strings.HasPrefix(s, `W/"`):
			weak := s[0] == 'W'
			if weak {
				s = s[2:]
			}
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, argError("Error", "Unclosed double quote for Etag")
			}
			out = append(out, Etag{Value: s[1 : end+1], Weak: weak})
			s, needComma = s[end+2:], true
		case s[0] == 'W':
			return nil, argError("Error", "Weak etags must start with W/ and their value must be quoted")
		default:
			return nil, argError("Error", "Invalid conditional header")
		}
	}
}

// Hasher computes an object's checksums while its value is written: MD5
// always, and whichever of the others a put asked to verify.
type Hasher struct {
	md5, sha1, sha256, sha384, sha512 hash.Hash
	w                                 io.Writer
}

// NewHasher returns a Hasher for the checksums want has (MD5 is always
// computed).
func NewHasher(want Checksums) *Hasher {
	h := &Hasher{md5: md5.New()}
	ws := []io.Writer{h.md5}
	add := func(set []byte, dst *hash.Hash, f func() hash.Hash) {
		if set != nil {
			*dst = f()
			ws = append(ws, *dst)
		}
	}
	add(want.SHA1, &h.sha1, sha1.New)
	add(want.SHA256, &h.sha256, sha256.New)
	add(want.SHA384, &h.sha384, sha512.New384)
	add(want.SHA512, &h.sha512, sha512.New)
	h.w = io.MultiWriter(ws...)
	return h
}

// Write implements io.Writer.
func (h *Hasher) Write(p []byte) (int, error) { return h.w.Write(p) }

// Verify compares the sums with the ones a put gave and returns the
// checksums to store (MD5 and the verified one), or BadDigest.
func (h *Hasher) Verify(op string, given Checksums) (Checksums, error) {
	out := Checksums{MD5: h.md5.Sum(nil)}
	for _, c := range []struct {
		name        string
		given       []byte
		h           hash.Hash
		store       *[]byte
		computedMD5 bool
	}{
		{"MD5", given.MD5, h.md5, &out.MD5, true},
		{"SHA-1", given.SHA1, h.sha1, &out.SHA1, false},
		{"SHA-256", given.SHA256, h.sha256, &out.SHA256, false},
		{"SHA-384", given.SHA384, h.sha384, &out.SHA384, false},
		{"SHA-512", given.SHA512, h.sha512, &out.SHA512, false},
	} {
		if c.given == nil || c.h == nil {
			continue
		}
		sum := c.h.Sum(nil)
		if !bytes.Equal(sum, c.given) {
			return Checksums{}, r2Error(op, CodeBadDigest, 400, fmt.Sprintf(
				"The %s checksum you specified did not match what we received.\nYou provided a %s checksum with value: %s\nActual %s was: %s",
				c.name, c.name, hex.EncodeToString(c.given), c.name, hex.EncodeToString(sum)))
		}
		*c.store = sum
	}
	return out, nil
}

// StoredPart is an uploaded part as an implementation keeps it.
type StoredPart struct {
	PartNumber int
	ETag       string
	Size       int64
	MD5        []byte
}

// PlanCompletion checks a completeMultipartUpload request against the parts
// uploaded and returns the parts that make the object, in part-number order.
// The rules are R2's: each requested part must exist with its etag
// (InvalidPart); a part number may appear once (InternalError); every part
// but the last one given must be at least minPartSize (EntityTooSmall); in
// part-number order all parts but the last must be the same size and the
// last no larger (BadUpload).
func PlanCompletion(requested []UploadedPart, uploaded map[int]StoredPart, minPartSize int64) ([]StoredPart, error) {
	seen := map[int]bool{}
	for _, p := range requested {
		if seen[p.PartNumber] {
			return nil, ErrInternal(OpComplete)
		}
		seen[p.PartNumber] = true
	}
	parts := make([]StoredPart, len(requested))
	for i, p := range requested {
		u, ok := uploaded[p.PartNumber]
		if !ok || u.ETag != p.ETag {
			return nil, r2Error(OpComplete, CodeInvalidPart, 400, "One or more of the specified parts could not be found.")
		}
		parts[i] = u
	}
	for i := 0; i+1 < len(parts); i++ {
		if parts[i].Size < minPartSize {
			return nil, r2Error(OpComplete, CodeEntityTooSmall, 400, "Your proposed upload is smaller than the minimum allowed object size.")
		}
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].PartNumber < parts[j].PartNumber })
	badUpload := r2Error(OpComplete, CodeBadUpload, 500, "There was a problem with the multipart upload.")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i].Size < minPartSize || parts[i].Size != parts[0].Size {
			return nil, badUpload
		}
	}
	if n := len(parts); n > 1 && parts[n-1].Size > parts[0].Size {
		return nil, badUpload
	}
	return parts, nil
}

// MultipartETag is the etag of an object made of parts with these MD5s: the
// MD5 of the MD5s, then "-" and the number of parts.
func MultipartETag(parts []StoredPart) string {
	h := md5.New()
	for _, p := range parts {
		h.Write(p.MD5)
	}
	return hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}
