package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/ferry-run/ferry/bindings/cache"
)

// Cache is the Cache API's store: cache.sqlite in the state directory (or
// memory), one row per (cache name, URL) with the body as a blob. Expired rows
// are never returned and are swept on writes.
type Cache struct {
	s   *Store
	now func() time.Time
	db  atomic.Pointer[sql.DB] // opened by the first call (open)
}

var _ cache.Store = (*Cache)(nil)

const cacheSchema = `CREATE TABLE IF NOT EXISTS cache_entries (
	cache TEXT NOT NULL,
	url TEXT NOT NULL,
	status INTEGER NOT NULL,
	headers TEXT NOT NULL,
	body BLOB NOT NULL,
	expires_ms INTEGER NOT NULL,
	PRIMARY KEY (cache, url)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cache_entries_expiry ON cache_entries (expires_ms);`

// Cache returns the store's Cache API storage. cache.sqlite is opened
// (created) by the first match, put or delete, not here: most Workers never
// use the Cache API, and ferry serve asks for it at start.
func (s *Store) Cache() (*Cache, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the local store is closed")
	}
	if s.cache == nil {
		s.cache = &Cache{s: s, now: s.now}
	}
	return s.cache, nil
}

// open returns the cache database, opening it on first use.
func (c *Cache) open() (*sql.DB, error) {
	if db := c.db.Load(); db != nil {
		return db, nil
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the local store is closed")
	}
	if db := c.db.Load(); db != nil {
		return db, nil
	}
	db, err := s.openDB("cache", cacheSchema)
	if err != nil {
		return nil, err
	}
	c.db.Store(db)
	return db, nil
}

func (c *Cache) close() error {
	if db := c.db.Load(); db != nil {
		return db.Close()
	}
	return nil
}

// Put implements cache.Store.
func (c *Cache) Put(ctx context.Context, name, url string, e *cache.Entry, ttl time.Duration) error {
	hdr, err := json.Marshal(e.Header)
	if err != nil {
		return fmt.Errorf("encoding cached headers: %w", err)
	}
	now := c.now()
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	db, err := c.open()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("storing a cached response: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM cache_entries WHERE expires_ms <= ?`, now.UnixMilli()); err != nil {
		return fmt.Errorf("sweeping expired cache entries: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO cache_entries (cache, url, status, headers, body, expires_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		name, url, e.Status, string(hdr), body, now.Add(ttl).UnixMilli()); err != nil {
		return fmt.Errorf("storing a cached response: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("storing a cached response: %w", err)
	}
	return nil
}

// Match implements cache.Store.
func (c *Cache) Match(ctx context.Context, name, url string) (*cache.Entry, error) {
	var (
		e   cache.Entry
		hdr string
		exp int64
	)
	db, err := c.open()
	if err != nil {
		return nil, err
	}
	err = db.QueryRowContext(ctx, `SELECT status, headers, body, expires_ms FROM cache_entries WHERE cache = ? AND url = ? AND expires_ms > ?`,
		name, url, c.now().UnixMilli()).Scan(&e.Status, &hdr, &e.Body, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading a cached response: %w", err)
	}
	e.Header = http.Header{}
	if err := json.Unmarshal([]byte(hdr), &e.Header); err != nil {
		return nil, fmt.Errorf("decoding cached headers: %w", err)
	}
	e.Expires = time.UnixMilli(exp)
	return &e, nil
}

// Delete implements cache.Store.
func (c *Cache) Delete(ctx context.Context, name, url string) (bool, error) {
	db, err := c.open()
	if err != nil {
		return false, err
	}
	res, err := db.ExecContext(ctx, `DELETE FROM cache_entries WHERE cache = ? AND url = ? AND expires_ms > ?`, name, url, c.now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("deleting a cached response: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
