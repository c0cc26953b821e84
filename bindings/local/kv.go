package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ferry-run/ferry/bindings/kv"
)

// KV is a KV namespace in the store's kv.sqlite: one table holds every
// namespace, keyed by (namespace id, key). Keys are stored as BLOBs, so
// SQLite's ordering is the UTF-8 byte order Cloudflare lists in. Expiration is
// in whole Unix seconds; expired rows are invisible at once and deleted from
// time to time.
type KV struct {
	s    *Store
	id   string
	puts atomic.Uint32
}

// kvConn is the opened kv database with its statements.
type kvConn struct {
	db *sql.DB
	q  *kvStmts
}

// kvStmts are the kv database's statements, prepared once per store: SQLite
// parses a statement in about as long as it runs a point lookup.
type kvStmts struct {
	get, put, del, list, listTo *sql.Stmt
}

func prepareKV(db *sql.DB) (*kvStmts, error) {
	q := &kvStmts{}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&q.get, `SELECT value, metadata, expiration FROM kv WHERE namespace = ? AND key = ? AND (expiration IS NULL OR expiration > ?)`},
		{&q.put, `INSERT INTO kv (namespace, key, value, metadata, expiration) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata, expiration = excluded.expiration`},
		{&q.del, `DELETE FROM kv WHERE namespace = ? AND key = ?`},
		{&q.list, `SELECT key, metadata, expiration FROM kv WHERE namespace = ? AND key >= ? AND (expiration IS NULL OR expiration > ?) ORDER BY key LIMIT ?`},
		{&q.listTo, `SELECT key, metadata, expiration FROM kv WHERE namespace = ? AND key >= ? AND key < ? AND (expiration IS NULL OR expiration > ?) ORDER BY key LIMIT ?`},
	} {
		st, err := db.Prepare(p.sql)
		if err != nil {
			return nil, fmt.Errorf("preparing the kv statements: %w", err)
		}
		*p.st = st
	}
	return q, nil
}

var _ kv.Namespace = (*KV)(nil)

const kvSchema = `
CREATE TABLE IF NOT EXISTS kv (
	namespace  TEXT NOT NULL,
	key        BLOB NOT NULL,
	value      BLOB NOT NULL,
	metadata   BLOB,
	expiration INTEGER,
	PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS kv_expiration ON kv (expiration) WHERE expiration IS NOT NULL;
`

// purgeEvery is how many puts pass between deletions of expired rows.
const purgeEvery = 1024

// KV returns the namespace with the given id (wrangler's kv_namespaces id or
// preview_id). The kv database is opened (created) by the first call that
// reads or writes a namespace, not here: a Worker that never uses its binding
// costs nothing at start.
func (s *Store) KV(namespaceID string) (*KV, error) {
	if namespaceID == "" {
		return nil, errors.New("a KV namespace needs an id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the store is closed")
	}
	return &KV{s: s, id: namespaceID}, nil
}

// kv returns the kv database, opening it on first use.
func (s *Store) kv() (*kvConn, error) {
	if c := s.kvConn.Load(); c != nil {
		return c, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the store is closed")
	}
	if c := s.kvConn.Load(); c != nil {
		return c, nil
	}
	db, err := s.openDB("kv", kvSchema)
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`DELETE FROM kv WHERE expiration <= ?`, s.now().Unix()); err != nil {
		db.Close()
		return nil, fmt.Errorf("deleting expired KV keys: %w", err)
	}
	q, err := prepareKV(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	c := &kvConn{db: db, q: q}
	s.kvConn.Store(c)
	return c, nil
}

// KVNamespaces returns the ids of the namespaces that hold keys, sorted.
func (s *Store) KVNamespaces(ctx context.Context) ([]string, error) {
	c, err := s.kv()
	if err != nil {
		return nil, err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT DISTINCT namespace FROM kv WHERE expiration IS NULL OR expiration > ? ORDER BY namespace`, s.now().Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func expiration(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0)
}

// Get implements kv.Namespace.
func (n *KV) Get(ctx context.Context, key string) (kv.Entry, bool, error) {
	if err := kv.CheckKey(kv.OpGet, key); err != nil {
		return kv.Entry{}, false, err
	}
	c, err := n.s.kv()
	if err != nil {
		return kv.Entry{}, false, err
	}
	return n.get(ctx, c.q.get, key)
}

func (n *KV) get(ctx context.Context, st *sql.Stmt, key string) (kv.Entry, bool, error) {
	var e kv.Entry
	var exp sql.NullInt64
	err := st.QueryRowContext(ctx, n.id, []byte(key), n.s.now().Unix()).Scan(&e.Value, &e.Metadata, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return kv.Entry{}, false, nil
	}
	if err != nil {
		return kv.Entry{}, false, fmt.Errorf("reading KV key: %w", err)
	}
	if e.Value == nil {
		e.Value = []byte{}
	}
	e.Expiration = expiration(exp)
	return e, true, nil
}

// GetMany implements kv.Namespace. The keys are read in one transaction, so
// they come from one snapshot.
func (n *KV) GetMany(ctx context.Context, keys []string) ([]*kv.Entry, error) {
	if err := kv.CheckGetMany(keys); err != nil {
		return nil, err
	}
	c, err := n.s.kv()
	if err != nil {
		return nil, err
	}
	tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("reading KV keys: %w", err)
	}
	defer tx.Rollback()
	st := tx.StmtContext(ctx, c.q.get)
	defer st.Close()
	out := make([]*kv.Entry, len(keys))
	total := 0
	for i, k := range keys {
		e, found, err := n.get(ctx, st, k)
		if err != nil {
			return nil, err
		}
		if found {
			total += len(e.Value)
			out[i] = &e
		}
	}
	if err := kv.CheckBulkSize(total); err != nil {
		return nil, err
	}
	return out, nil
}

// Put implements kv.Namespace.
func (n *KV) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	now := n.s.now()
	exp, err := kv.CheckPut(key, len(value), opts, now)
	if err != nil {
		return err
	}
	var expArg any
	if !exp.IsZero() {
		expArg = exp.Unix()
	}
	var meta any
	if opts.Metadata != nil {
		meta = opts.Metadata
	}
	if value == nil {
		value = []byte{}
	}
	c, err := n.s.kv()
	if err != nil {
		return err
	}
	_, err = c.q.put.ExecContext(ctx, n.id, []byte(key), value, meta, expArg)
	if err != nil {
		return fmt.Errorf("writing KV key: %w", err)
	}
	if n.puts.Add(1)%purgeEvery == 0 {
		_, _ = c.db.ExecContext(ctx, `DELETE FROM kv WHERE expiration <= ?`, now.Unix())
	}
	return nil
}

// Delete implements kv.Namespace.
func (n *KV) Delete(ctx context.Context, key string) error {
	if err := kv.CheckKey(kv.OpDelete, key); err != nil {
		return err
	}
	c, err := n.s.kv()
	if err != nil {
		return err
	}
	if _, err := c.q.del.ExecContext(ctx, n.id, []byte(key)); err != nil {
		return fmt.Errorf("deleting KV key: %w", err)
	}
	return nil
}

// List implements kv.Namespace.
func (n *KV) List(ctx context.Context, opts kv.ListOptions) (kv.ListResult, error) {
	limit, after, err := kv.CheckList(opts)
	if err != nil {
		return kv.ListResult{}, err
	}
	// Keys from max(prefix, just after the cursor) up to the end of the prefix
	// range; the extra row tells whether there is another page. The smallest
	// key after the cursor's is the cursor's key followed by a NUL byte.
	lower := []byte(opts.Prefix)
	if after != "" && after >= opts.Prefix {
		lower = append([]byte(after), 0)
	}
	c, err := n.s.kv()
	if err != nil {
		return kv.ListResult{}, err
	}
	now := n.s.now().Unix()
	var rows *sql.Rows
	if upper := prefixEnd(opts.Prefix); upper != nil {
		rows, err = c.q.listTo.QueryContext(ctx, n.id, lower, upper, now, limit+1)
	} else {
		rows, err = c.q.list.QueryContext(ctx, n.id, lower, now, limit+1)
	}
	if err != nil {
		return kv.ListResult{}, fmt.Errorf("listing KV keys: %w", err)
	}
	defer rows.Close()
	res := kv.ListResult{Keys: []kv.Key{}}
	for rows.Next() {
		var name []byte
		var k kv.Key
		var exp sql.NullInt64
		if err := rows.Scan(&name, &k.Metadata, &exp); err != nil {
			return kv.ListResult{}, fmt.Errorf("listing KV keys: %w", err)
		}
		k.Name = string(name)
		k.Expiration = expiration(exp)
		res.Keys = append(res.Keys, k)
	}
	if err := rows.Err(); err != nil {
		return kv.ListResult{}, fmt.Errorf("listing KV keys: %w", err)
	}
	if len(res.Keys) > limit {
		res.Keys = res.Keys[:limit]
		res.Cursor = kv.Cursor(res.Keys[limit-1].Name)
	} else {
		res.ListComplete = true
	}
	return res, nil
}

// prefixEnd returns the smallest byte string greater than every string with
// the prefix, or nil when there is none (empty or all-0xFF prefix).
func prefixEnd(prefix string) []byte {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}
