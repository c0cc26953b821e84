// Package local holds the embedded binding implementations `ferry dev` (and any
// single-machine host) uses by default: state lives in SQLite databases under
// one state directory, one database file per binding kind (kv.sqlite,
// r2.sqlite with object bytes as files under r2/, later d1...), or in memory
// when nothing should persist.
//
// SQLite is modernc.org/sqlite, a pure-Go translation of SQLite: Ferry stays
// one static binary with no cgo. Databases run in WAL mode, so a `ferry kv`
// command can read and write while `ferry dev` serves.
//
// Example:
//
//	st, err := local.Open(".ferry/state")
//	defer st.Close()
//	ns, err := st.KV("my-namespace-id")
package local

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ferry-run/ferry/bindings/kv"
)

// Store is a state directory (or memory) holding every local binding. It is
// safe for concurrent use; close it when done.
type Store struct {
	dir string // "" keeps everything in memory
	now kv.Clock

	mu     sync.Mutex
	kvConn atomic.Pointer[kvConn] // opened by the first KV call (kv.go)
	d1     map[string]*D1         // by database id (d1.go)
	r2     *r2Store               // opened by the first R2 call
	queues *queueState
	do     *DurableObjects // do.go
	cache  *Cache          // cache.go
	closed bool
}

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from now (tests use a fake clock
// to expire keys).
func WithClock(now kv.Clock) Option { return func(s *Store) { s.now = now } }

// Open returns the store kept in dir, creating the directory when needed. An
// empty dir keeps state in memory only: it vanishes with the Store.
func Open(dir string, opts ...Option) (*Store, error) {
	s := &Store{dir: dir, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the state directory: %w", err)
		}
	}
	return s, nil
}

// Dir returns the state directory ("" in memory).
func (s *Store) Dir() string { return s.dir }

// Close closes the databases. Bindings obtained from the store stop working.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var err error
	if s.r2 != nil {
		err = s.r2.close()
	}
	if s.queues != nil {
		err = errors.Join(err, s.queues.close())
	}
	if c := s.kvConn.Load(); c != nil {
		err = errors.Join(err, c.db.Close())
	}
	err = errors.Join(err, s.closeD1())
	if s.do != nil {
		err = errors.Join(err, s.do.close())
	}
	if s.cache != nil {
		err = errors.Join(err, s.cache.close())
	}
	return err
}

var memoryDBs atomic.Int64

// openDB opens (creating) the database file name under the state directory,
// or a private in-memory database, and runs schema. Extra pragmas (such as
// "synchronous(FULL)") apply after the defaults.
func (s *Store) openDB(name, schema string, extra ...string) (*sql.DB, error) {
	var db *sql.DB
	var err error
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	if s.dir == "" {
		// A named shared-cache memory database lives as long as one
		// connection is open; the pool keeps exactly one.
		dsn := fmt.Sprintf("file:ferry-%s-%d?mode=memory&cache=shared&%s", name, memoryDBs.Add(1), pragmas)
		db, err = sql.Open("sqlite", dsn)
		if err == nil {
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
			db.SetConnMaxIdleTime(0)
			db.SetConnMaxLifetime(0)
		}
	} else {
		path := filepath.Join(s.dir, name+".sqlite")
		file := []string{"journal_mode(WAL)", "synchronous(NORMAL)"}
		for _, p := range extra { // replaces the default of the same name
			name, _, _ := strings.Cut(p, "(")
			file = slices.DeleteFunc(file, func(d string) bool { return strings.HasPrefix(d, name+"(") })
			file = append(file, p)
		}
		dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
		for _, p := range file {
			dsn += "&_pragma=" + url.QueryEscape(p)
		}
		db, err = sql.Open("sqlite", dsn)
		if err == nil {
			db.SetMaxOpenConns(8)
			db.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("opening the %s database: %w", name, err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the %s database schema in %s: %w", name, s.where(), err)
	}
	return db, nil
}

func (s *Store) where() string {
	if s.dir == "" {
		return "memory"
	}
	return s.dir
}
