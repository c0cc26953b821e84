package kv

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// Operation names as they appear in error messages. List reports GET, as
// workerd does.
const (
	OpGet     = "GET"
	OpGetBulk = "GET_BULK"
	OpPut     = "PUT"
	OpDelete  = "DELETE"
	OpList    = "GET"
)

// Error is a rejected KV operation, worded as Cloudflare's runtime words it.
// TypeError errors are the ones workerd throws before any request (an empty
// key, "." or ".."); the others read "KV <Op> failed: <Status> <Message>".
type Error struct {
	Op        string
	Status    int
	Message   string
	TypeError bool
}

func (e *Error) Error() string {
	if e.TypeError {
		return e.Message
	}
	return fmt.Sprintf("KV %s failed: %d %s", e.Op, e.Status, e.Message)
}

func failed(op string, status int, format string, args ...any) *Error {
	return &Error{Op: op, Status: status, Message: fmt.Sprintf(format, args...)}
}

// CheckKey validates a key for op. Single-key operations fail as workerd's
// client does (TypeError for "", "." and ".."); bulk gets fail as the KV
// service does.
func CheckKey(op, key string) error {
	if op == OpGetBulk {
		switch key {
		case "":
			return failed(op, 400, "Key names must not be empty")
		case ".", "..":
			return failed(op, 400, "Illegal key name %q. Please use a different name.", key)
		}
	} else {
		switch key {
		case "":
			return &Error{Op: op, TypeError: true, Message: "Key name cannot be empty."}
		case ".", "..":
			return &Error{Op: op, TypeError: true, Message: fmt.Sprintf("%q is not allowed as a key name.", key)}
		}
	}
	return checkKeyLength(op, key)
}

func checkKeyLength(op, key string) error {
	if len(key) > MaxKeySize {
		return failed(op, 414, "UTF-8 encoded length of %d exceeds key length limit of %d.", len(key), MaxKeySize)
	}
	return nil
}

// CheckCacheTTL validates get's cacheTtl option (seconds). Ferry has no edge
// cache, so a valid cacheTtl changes nothing.
func CheckCacheTTL(op string, seconds int64) error {
	if seconds < MinCacheTTL {
		return failed(op, 400, "Invalid cache_ttl of %d. Cache TTL must be at least %d.", seconds, MinCacheTTL)
	}
	return nil
}

// CheckExpirationTTL validates put's expirationTtl option (seconds).
func CheckExpirationTTL(seconds int64) error {
	if seconds <= 0 {
		return failed(OpPut, 400, "Invalid expiration_ttl of %d. Please specify integer greater than 0.", seconds)
	}
	if seconds < MinExpirationTTL {
		return failed(OpPut, 400, "Invalid expiration_ttl of %d. Expiration TTL must be at least %d.", seconds, MinExpirationTTL)
	}
	return nil
}

// CheckPut validates a put of size bytes under key at time now and returns
// when the key will expire (zero: never), in whole seconds.
func CheckPut(key string, size int, opts PutOptions, now time.Time) (expiration time.Time, err error) {
	if err := CheckKey(OpPut, key); err != nil {
		return time.Time{}, err
	}
	nowSec := now.Unix()
	switch {
	case opts.ExpirationTTL != 0:
		ttl := int64(opts.ExpirationTTL / time.Second)
		if err := CheckExpirationTTL(ttl); err != nil {
			return time.Time{}, err
		}
		expiration = time.Unix(nowSec+ttl, 0)
	case !opts.Expiration.IsZero():
		exp := opts.Expiration.Unix()
		if exp <= nowSec {
			return time.Time{}, failed(OpPut, 400, "Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", exp)
		}
		if exp < nowSec+MinExpirationTTL {
			return time.Time{}, failed(OpPut, 400, "Invalid expiration of %d. Expiration times must be at least %d seconds in the future.", exp, MinExpirationTTL)
		}
		expiration = time.Unix(exp, 0)
	}
	if opts.Metadata != nil {
		if len(opts.Metadata) > MaxMetadataSize {
			return time.Time{}, failed(OpPut, 413, "Metadata length of %d exceeds limit of %d.", len(opts.Metadata), MaxMetadataSize)
		}
		if !json.Valid(opts.Metadata) {
			return time.Time{}, failed(OpPut, 400, "Metadata is not valid JSON.")
		}
	}
	if size > MaxValueSize {
		return time.Time{}, failed(OpPut, 413, "Value length of %d exceeds limit of %d.", size, MaxValueSize)
	}
	return expiration, nil
}

// CheckGetMany validates the keys of a bulk get.
func CheckGetMany(keys []string) error {
	if len(keys) > MaxBulkGetKeys {
		return failed(OpGetBulk, 400, "You can request a maximum of %d keys", MaxBulkGetKeys)
	}
	if len(keys) < 1 {
		return failed(OpGetBulk, 400, "You must request a minimum of 1 key")
	}
	for _, k := range keys {
		if err := CheckKey(OpGetBulk, k); err != nil {
			return err
		}
	}
	return nil
}

// CheckBulkSize validates the total value bytes a bulk get returns.
func CheckBulkSize(total int) error {
	if total > MaxBulkGetSize {
		return failed(OpGetBulk, 413, "Total size of request exceeds the limit of %dMB", MaxBulkGetSize>>20)
	}
	return nil
}

// CheckList validates list options and returns the page size and the key the
// page starts after ("" for the first page).
func CheckList(opts ListOptions) (limit int, after string, err error) {
	limit = opts.Limit
	switch {
	case limit == 0:
		limit = MaxListLimit
	case limit < 0:
		return 0, "", failed(OpList, 400, "Invalid key_count_limit of %d. Please specify an integer greater than 0.", limit)
	case limit > MaxListLimit:
		return 0, "", failed(OpList, 400, "Invalid key_count_limit of %d. Please specify an integer less than %d.", limit, MaxListLimit)
	}
	if err := checkKeyLength(OpList, opts.Prefix); err != nil {
		return 0, "", err
	}
	if opts.Cursor != "" {
		b, derr := base64.RawURLEncoding.DecodeString(opts.Cursor)
		if derr != nil || len(b) == 0 {
			return 0, "", failed(OpList, 400, "Invalid cursor %q.", opts.Cursor)
		}
		after = string(b)
	}
	return limit, after, nil
}

// Cursor returns the opaque cursor for the page after the key last. Every
// implementation uses it, so cursors work across them.
func Cursor(last string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}
