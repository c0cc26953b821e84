// Package kv is the Workers KV binding seen from Go: the Namespace interface
// every implementation (bindings/local on SQLite, a remote one later) satisfies,
// and the validation of Cloudflare's limits they all share, so a key that is too
// long fails with the same words everywhere:
//
//	KV GET failed: 414 UTF-8 encoded length of 600 exceeds key length limit of 512.
//
// Implementations call the Check functions at the start of each method and
// return their *Error unchanged; the JS glue (core/env) turns an *Error into the
// JS error Workers code sees (TypeError or Error). bindings/kv/kvtest is the
// conformance suite every implementation must pass.
//
// This package imports no JS engine.
package kv

import (
	"context"
	"time"
)

// Cloudflare's documented Workers KV limits.
const (
	MaxKeySize       = 512      // bytes of UTF-8
	MaxValueSize     = 25 << 20 // 25 MiB
	MaxMetadataSize  = 1024     // bytes of serialised JSON
	MinExpirationTTL = 60       // seconds
	MinCacheTTL      = 30       // seconds
	MaxListLimit     = 1000     // keys per list call, also the default
	MaxBulkGetKeys   = 100      // keys per bulk get
	MaxBulkGetSize   = 25 << 20 // total value bytes of one bulk get
)

// Entry is a stored value with what was put alongside it.
type Entry struct {
	Value []byte
	// Metadata is the JSON put with the value; nil when there was none.
	Metadata []byte
	// Expiration is when the key expires; zero when it does not. Cloudflare
	// counts in whole seconds, so this is always a whole second.
	Expiration time.Time
}

// Key is one result of List.
type Key struct {
	Name       string
	Expiration time.Time // zero when the key does not expire
	Metadata   []byte    // JSON; nil when there is none
}

// PutOptions are put's options. ExpirationTTL wins when both are set, as on
// Cloudflare.
type PutOptions struct {
	// Expiration, when not the zero time, is when the key expires (whole
	// seconds; at least MinExpirationTTL seconds from now).
	Expiration time.Time
	// ExpirationTTL, when not zero, is how long from now the key lives
	// (whole seconds; at least MinExpirationTTL seconds).
	ExpirationTTL time.Duration
	// Metadata is JSON stored with the value (at most MaxMetadataSize bytes);
	// nil for none.
	Metadata []byte
}

// ListOptions select keys for List.
type ListOptions struct {
	Prefix string // literal prefix (no wildcards)
	Limit  int    // 1..MaxListLimit; 0 means MaxListLimit
	Cursor string // from the previous page's ListResult.Cursor; "" starts over
}

// ListResult is one page of keys, sorted by their UTF-8 bytes.
type ListResult struct {
	Keys []Key
	// ListComplete is true on the last page; Cursor is then "".
	ListComplete bool
	Cursor       string
}

// Namespace is one KV namespace. Methods are safe for concurrent use. Expired
// keys are gone: Get, GetMany and List never return them. Errors from
// validation are *Error values worded as Cloudflare's; other errors are the
// store's own (I/O), which callers report as internal errors.
//
// Example:
//
//	err := ns.Put(ctx, "greeting", []byte("hi"), kv.PutOptions{ExpirationTTL: time.Hour})
//	e, found, err := ns.Get(ctx, "greeting")
type Namespace interface {
	// Get returns the entry under key; found is false when there is none.
	Get(ctx context.Context, key string) (e Entry, found bool, err error)
	// GetMany returns the entries under keys (1..MaxBulkGetKeys of them), in
	// order; an element is nil when its key has no value.
	GetMany(ctx context.Context, keys []string) ([]*Entry, error)
	// Put stores value under key, replacing what was there.
	Put(ctx context.Context, key string, value []byte, opts PutOptions) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns keys in UTF-8 byte order, one page at a time.
	List(ctx context.Context, opts ListOptions) (ListResult, error)
}

// Clock tells the time; implementations take one so tests can move time.
type Clock func() time.Time

// Expired reports whether an entry with expiration exp is gone at now.
func Expired(exp, now time.Time) bool {
	return !exp.IsZero() && !now.Before(exp)
}
