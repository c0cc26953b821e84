// Package do is the Cloudflare Durable Objects storage binding seen from Go:
// the Store and Storage interfaces every implementation satisfies
// (bindings/local keeps one SQLite database per object), the values that cross
// them, Cloudflare's limits and the error words Workers code sees:
//
//	RangeError: Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.
//
// A Storage is one object's durable state, as Cloudflare's SQLite-backed
// Durable Objects have it: a key-value store (keys are strings ordered by
// their UTF-8 bytes, values opaque bytes — the JS glue stores structured
// clones), a SQL database the object may create tables in, and one alarm
// time. Calls on one Storage are serialised by the implementation; the JS
// glue (core/env) makes each object's calls in program order.
//
// Transactions nest: Begin opens one (a savepoint inside an open one),
// Commit and Rollback end the innermost. Between Begin and its Commit every
// call on the Storage — key-value, SQL and alarms — belongs to it.
//
// bindings/do/dotest is the conformance suite every implementation must
// pass. This package imports no JS engine.
package do

import (
	"context"
	"fmt"
	"time"
)

// Cloudflare's documented Durable Object storage limits
// (developers.cloudflare.com/durable-objects/platform/limits).
const (
	MaxKeySize     = 2048    // bytes of one key
	MaxValueSize   = 131_072 // bytes of one serialised value
	MaxKeysPerCall = 128     // keys of one get, put or delete
)

// Entry is one key and its value.
type Entry struct {
	Key   string
	Value []byte
}

// ListOptions select the keys List returns, as storage.list() takes them.
// Keys are ordered by their UTF-8 bytes; Start is inclusive, StartAfter and
// End exclusive; Limit 0 means no limit.
type ListOptions struct {
	Start      string
	StartAfter string
	End        string
	Prefix     string
	Reverse    bool
	Limit      int
}

// SQLResult is what one storage.sql.exec() call produced: the last
// statement's columns and rows, and the rows read and written by all of them.
// Values are nil, int64, float64, string or []byte.
type SQLResult struct {
	Columns     []string
	Rows        [][]any
	RowsRead    int64
	RowsWritten int64
}

// Storage is one Durable Object's storage. Methods are safe for concurrent
// use; a Storage is used until Close.
type Storage interface {
	// Get returns the values of keys, in order; nil where a key is absent.
	Get(ctx context.Context, keys []string) ([][]byte, error)
	// Put stores entries atomically.
	Put(ctx context.Context, entries []Entry) error
	// Delete removes keys atomically and returns how many existed.
	Delete(ctx context.Context, keys []string) (int, error)
	// List returns the entries opts select, in order.
	List(ctx context.Context, opts ListOptions) ([]Entry, error)
	// DeleteAll removes every key and every SQL table; the alarm stays.
	DeleteAll(ctx context.Context) error
	// Exec runs SQL (one statement, or several separated by `;` of which
	// only the last may have parameters) with params bound to the last.
	Exec(ctx context.Context, query string, params []any) (*SQLResult, error)
	// DatabaseSize is the size of the object's database in bytes.
	DatabaseSize(ctx context.Context) (int64, error)

	// Begin opens a transaction (a nested one inside an open one).
	Begin(ctx context.Context) error
	// Commit ends the innermost transaction, keeping its writes.
	Commit(ctx context.Context) error
	// Rollback ends the innermost transaction, undoing its writes.
	Rollback(ctx context.Context) error

	// Alarm returns the alarm time, and false when none is set.
	Alarm(ctx context.Context) (time.Time, bool, error)
	// SetAlarm sets the alarm (replacing one already set).
	SetAlarm(ctx context.Context, at time.Time) error
	// DeleteAlarm removes the alarm, if any.
	DeleteAlarm(ctx context.Context) error

	// Close releases the Storage.
	Close() error
}

// Alarm is a pending alarm of one object.
type Alarm struct {
	Namespace string
	ID        string
	At        time.Time
}

// Store holds the storage of every object. A namespace is one Durable Object
// class of one Worker (e.g. "counter-Counter"); an id is the object's 64
// hex digits.
type Store interface {
	// Open returns the storage of one object, creating it on first use.
	// Opening an object twice (a reload overlapping the old version)
	// returns storages that see the same data.
	Open(ctx context.Context, namespace, id string) (Storage, error)
	// Alarms lists the namespace's pending alarms, soonest first, so a
	// host can schedule them when it starts.
	Alarms(ctx context.Context, namespace string) ([]Alarm, error)
}

// Error is a rejected storage call, worded as workerd words it. Kind is the
// JS error's name: "RangeError", "TypeError" or "Error".
type Error struct {
	Kind    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func rangeError(format string, args ...any) *Error {
	return &Error{Kind: "RangeError", Message: fmt.Sprintf(format, args...)}
}

// CheckKey validates one key's size.
func CheckKey(key string) error {
	if len(key) > MaxKeySize {
		return rangeError("Keys cannot be larger than %d bytes. A key of size %d was provided.", MaxKeySize, len(key))
	}
	return nil
}

// CheckKeys validates the keys of one get or delete call.
func CheckKeys(keys []string) error {
	if len(keys) > MaxKeysPerCall {
		return rangeError("Maximum number of keys per call is %d. You provided %d.", MaxKeysPerCall, len(keys))
	}
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	return nil
}

// CheckValue validates one serialised value's size.
func CheckValue(value []byte) error {
	if len(value) > MaxValueSize {
		return rangeError("Values cannot be larger than %d bytes. A value of size %d was provided.", MaxValueSize, len(value))
	}
	return nil
}

// CheckEntries validates the entries of one put call.
func CheckEntries(entries []Entry) error {
	if len(entries) > MaxKeysPerCall {
		return rangeError("Maximum number of pairs per call is %d. You provided %d.", MaxKeysPerCall, len(entries))
	}
	for _, e := range entries {
		if err := CheckKey(e.Key); err != nil {
			return err
		}
		if err := CheckValue(e.Value); err != nil {
			return err
		}
	}
	return nil
}

// CheckList validates list options.
func CheckList(opts ListOptions) error {
	if opts.Limit < 0 {
		return rangeError("List limit must be positive.")
	}
	if opts.Start != "" && opts.StartAfter != "" {
		return &Error{Kind: "TypeError", Message: "start and startAfter cannot be used together"}
	}
	return nil
}
