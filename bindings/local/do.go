package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/bindings/do"
)

// DurableObjects keeps Durable Object storage the way Cloudflare's
// SQLite-backed objects have it: one SQLite database per object,
// <state>/do/<namespace>/<id>.sqlite, holding the key-value pairs (table
// _cf_KV, keys as BLOBs so they sort by their UTF-8 bytes) next to the
// object's own SQL tables, so transactionSync can span both and deleteAll is
// one transaction. One file per object rather than per class keeps objects
// independent (a slow or large object does not lock its siblings, deleteAll
// drops its tables) and matches Cloudflare's model, where each object is its
// own database. Alarms live in <state>/do.sqlite (one row per object), so a
// starting dev server finds every pending alarm without opening each object.
//
// Without a state directory each object is a private in-memory database,
// kept until the Store closes.
type DurableObjects struct {
	s *Store

	mu      sync.Mutex
	objects map[string]*doObject // by namespace/id, while open
	alarms  *sql.DB              // opened by the first alarm call
}

var _ do.Store = (*DurableObjects)(nil)

// doObject is one object's open database, shared by its handles.
type doObject struct {
	d     *DurableObjects
	key   string
	ns    string
	id    string
	mu    sync.Mutex
	conn  *sqliteConn
	refs  int
	depth int // open transactions (savepoints)
}

// doHandle is one Open of an object.
type doHandle struct {
	o      *doObject
	closed sync.Once
}

var _ do.Storage = (*doHandle)(nil)

// DurableObjects returns the store's Durable Object storage.
func (s *Store) DurableObjects() *DurableObjects {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.do == nil {
		s.do = &DurableObjects{s: s, objects: map[string]*doObject{}}
	}
	return s.do
}

const doKVSchema = `CREATE TABLE IF NOT EXISTS _cf_KV (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID`

const doAlarmSchema = `CREATE TABLE IF NOT EXISTS alarms (
	namespace TEXT NOT NULL,
	id        TEXT NOT NULL,
	at        INTEGER NOT NULL, -- Unix milliseconds
	PRIMARY KEY (namespace, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alarms_at ON alarms(namespace, at);`

// Open implements do.Store.
func (d *DurableObjects) Open(ctx context.Context, namespace, id string) (do.Storage, error) {
	if err := checkName(namespace); err != nil {
		return nil, fmt.Errorf("opening Durable Object storage: namespace %q: %w", namespace, err)
	}
	if err := checkName(id); err != nil {
		return nil, fmt.Errorf("opening Durable Object storage: id %q: %w", id, err)
	}
	d.s.mu.Lock()
	closed := d.s.closed
	d.s.mu.Unlock()
	if closed {
		return nil, errors.New("the store is closed")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	key := namespace + "/" + id
	if o, ok := d.objects[key]; ok {
		o.refs++
		return &doHandle{o: o}, nil
	}
	path := ""
	if d.s.dir != "" {
		dir := filepath.Join(d.s.dir, "do", namespace)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the Durable Object state directory: %w", err)
		}
		path = filepath.Join(dir, id+".sqlite")
	}
	conn, err := openSQLite(path)
	if err != nil {
		return nil, fmt.Errorf("opening Durable Object %s of %s: %w", id, namespace, err)
	}
	if err := conn.internal(doKVSchema); err != nil {
		conn.close()
		return nil, fmt.Errorf("opening Durable Object %s of %s: %w", id, namespace, err)
	}
	o := &doObject{d: d, key: key, ns: namespace, id: id, conn: conn, refs: 1}
	d.objects[key] = o
	return &doHandle{o: o}, nil
}

// checkName keeps namespaces and ids usable as file names.
func checkName(s string) error {
	if s == "" || s == "." || s == ".." {
		return errors.New("empty or reserved name")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("%q is not allowed (letters, digits, '-', '_' and '.')", r)
		}
	}
	return nil
}

func (d *DurableObjects) alarmDB() (*sql.DB, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.alarms == nil {
		db, err := d.s.openDB("do", doAlarmSchema)
		if err != nil {
			return nil, err
		}
		d.alarms = db
	}
	return d.alarms, nil
}

// Alarms implements do.Store.
func (d *DurableObjects) Alarms(ctx context.Context, namespace string) ([]do.Alarm, error) {
	db, err := d.alarmDB()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, at FROM alarms WHERE namespace = ? ORDER BY at`, namespace)
	if err != nil {
		return nil, fmt.Errorf("listing Durable Object alarms: %w", err)
	}
	defer rows.Close()
	var out []do.Alarm
	for rows.Next() {
		var a do.Alarm
		var at int64
		if err := rows.Scan(&a.ID, &at); err != nil {
			return nil, fmt.Errorf("listing Durable Object alarms: %w", err)
		}
		a.Namespace = namespace
		a.At = time.UnixMilli(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// close closes every object and the alarm index (Store.Close).
func (d *DurableObjects) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var err error
	for k, o := range d.objects {
		o.mu.Lock()
		if o.conn != nil {
			err = errors.Join(err, o.conn.close())
			o.conn = nil
		}
		o.mu.Unlock()
		delete(d.objects, k)
	}
	if d.alarms != nil {
		err = errors.Join(err, d.alarms.Close())
	}
	return err
}

// Close implements do.Storage: the last handle of an object on disk closes
// its database (in memory it stays until the Store closes).
func (h *doHandle) Close() error {
	var err error
	h.closed.Do(func() {
		o := h.o
		d := o.d
		d.mu.Lock()
		defer d.mu.Unlock()
		o.refs--
		if o.refs > 0 || d.s.dir == "" {
			return
		}
		delete(d.objects, o.key)
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.conn != nil {
			err = o.conn.close()
			o.conn = nil
		}
	})
	return err
}

// with runs fn on the object's connection, alone.
func (h *doHandle) with(ctx context.Context, fn func(c *sqliteConn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := h.o
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn == nil {
		return errors.New("the Durable Object storage is closed")
	}
	return fn(o.conn)
}

// atomic runs fn in a savepoint: all of its writes or none.
func (h *doHandle) atomic(ctx context.Context, fn func(c *sqliteConn) error) error {
	return h.with(ctx, func(c *sqliteConn) error {
		if err := c.internal("SAVEPOINT ferry_call"); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			_ = c.internal("ROLLBACK TO ferry_call")
			_ = c.internal("RELEASE ferry_call")
			return err
		}
		return c.internal("RELEASE ferry_call")
	})
}

// internal runs Ferry's own SQL (transaction control included).
func (c *sqliteConn) internal(query string) error {
	rest := query
	for strings.TrimSpace(rest) != "" {
		base, err := c.cstring(&c.sql, rest)
		if err != nil {
			return err
		}
		st, tail, err := c.prepare(base, len(rest), false)
		if err != nil {
			return err
		}
		if st == 0 {
			return nil
		}
		err = c.stepToEnd(st)
		c.finalize(st)
		if err != nil {
			return err
		}
		rest = rest[int(tail-base):]
	}
	return nil
}

func (c *sqliteConn) query(sql string, params ...d1.Value) (*d1.Result, error) {
	return c.run(d1.Statement{SQL: sql, Params: params}, true)
}

// Get implements do.Storage.
func (h *doHandle) Get(ctx context.Context, keys []string) ([][]byte, error) {
	if err := do.CheckKeys(keys); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	err := h.with(ctx, func(c *sqliteConn) error {
		for i, k := range keys {
			res, err := c.query(`SELECT value FROM _cf_KV WHERE key = ?`, []byte(k))
			if err != nil {
				return fmt.Errorf("reading Durable Object storage: %w", err)
			}
			if len(res.Rows) > 0 {
				out[i], _ = res.Rows[0][0].([]byte)
				if out[i] == nil {
					out[i] = []byte{}
				}
			}
		}
		return nil
	})
	return out, err
}

// Put implements do.Storage.
func (h *doHandle) Put(ctx context.Context, entries []do.Entry) error {
	if err := do.CheckEntries(entries); err != nil {
		return err
	}
	return h.atomic(ctx, func(c *sqliteConn) error {
		for _, e := range entries {
			v := e.Value
			if v == nil {
				v = []byte{}
			}
			if _, err := c.query(`INSERT INTO _cf_KV (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2`, []byte(e.Key), v); err != nil {
				return fmt.Errorf("writing Durable Object storage: %w", err)
			}
		}
		return nil
	})
}

// Delete implements do.Storage.
func (h *doHandle) Delete(ctx context.Context, keys []string) (int, error) {
	if err := do.CheckKeys(keys); err != nil {
		return 0, err
	}
	n := 0
	err := h.atomic(ctx, func(c *sqliteConn) error {
		for _, k := range keys {
			res, err := c.query(`DELETE FROM _cf_KV WHERE key = ?`, []byte(k))
			if err != nil {
				return fmt.Errorf("deleting from Durable Object storage: %w", err)
			}
			n += int(res.Meta.Changes)
		}
		return nil
	})
	return n, err
}

// List implements do.Storage.
func (h *doHandle) List(ctx context.Context, opts do.ListOptions) ([]do.Entry, error) {
	if err := do.CheckList(opts); err != nil {
		return nil, err
	}
	var where []string
	var params []d1.Value
	cond := func(op, v string) {
		params = append(params, []byte(v))
		where = append(where, fmt.Sprintf("key %s ?%d", op, len(params)))
	}
	if opts.Start != "" {
		cond(">=", opts.Start)
	}
	if opts.StartAfter != "" {
		cond(">", opts.StartAfter)
	}
	if opts.End != "" {
		cond("<", opts.End)
	}
	if opts.Prefix != "" {
		cond(">=", opts.Prefix)
		if end := prefixEnd(opts.Prefix); end != nil {
			cond("<", string(end))
		}
	}
	q := `SELECT key, value FROM _cf_KV`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY key"
	if opts.Reverse {
		q += " DESC"
	}
	if opts.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", opts.Limit)
	}
	var out []do.Entry
	err := h.with(ctx, func(c *sqliteConn) error {
		res, err := c.run(d1.Statement{SQL: q, Params: params}, false)
		if err != nil {
			return fmt.Errorf("listing Durable Object storage: %w", err)
		}
		out = make([]do.Entry, len(res.Rows))
		for i, row := range res.Rows {
			k, _ := row[0].([]byte)
			v, _ := row[1].([]byte)
			if v == nil {
				v = []byte{}
			}
			out[i] = do.Entry{Key: string(k), Value: v}
		}
		return nil
	})
	return out, err
}

// DeleteAll implements do.Storage: the key-value pairs and every table,
// view and trigger the object created.
func (h *doHandle) DeleteAll(ctx context.Context) error {
	return h.atomic(ctx, func(c *sqliteConn) error {
		if err := c.internal(`PRAGMA defer_foreign_keys = ON; DELETE FROM _cf_KV`); err != nil {
			return fmt.Errorf("deleting all Durable Object storage: %w", err)
		}
		res, err := c.run(d1.Statement{SQL: `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> '_cf_KV'`}, false)
		if err != nil {
			return fmt.Errorf("deleting all Durable Object storage: %w", err)
		}
		for _, row := range res.Rows {
			kind, _ := row[0].(string)
			name, _ := row[1].(string)
			if err := c.internal(fmt.Sprintf(`DROP %s IF EXISTS "%s"`, strings.ToUpper(kind), strings.ReplaceAll(name, `"`, `""`))); err != nil {
				return fmt.Errorf("deleting all Durable Object storage: dropping %s: %w", name, err)
			}
		}
		return nil
	})
}

// Exec implements do.Storage. SQLite's errors read as workerd's
// ("no such table: t: SQLITE_ERROR"), without D1's prefix.
func (h *doHandle) Exec(ctx context.Context, query string, params []any) (*do.SQLResult, error) {
	var out *do.SQLResult
	err := h.with(ctx, func(c *sqliteConn) error {
		stop := c.interruptOn(ctx)
		defer stop()
		// Several statements run in a savepoint, so a failing one undoes
		// the others.
		multi := !c.cached(query)
		if multi {
			if err := c.internal("SAVEPOINT ferry_exec"); err != nil {
				return err
			}
		}
		res, err := c.run(d1.Statement{SQL: query, Params: params}, true)
		if multi {
			if err != nil {
				_ = c.internal("ROLLBACK TO ferry_exec")
			}
			if rerr := c.internal("RELEASE ferry_exec"); err == nil && rerr != nil {
				err = rerr
			}
		}
		if err != nil {
			return sqlError(err)
		}
		out = &do.SQLResult{Columns: res.Columns, Rows: res.Rows, RowsRead: res.Meta.RowsRead, RowsWritten: res.Meta.RowsWritten}
		return nil
	})
	return out, err
}

func sqlError(err error) error {
	var de *d1.Error
	if errors.As(err, &de) {
		return &do.Error{Kind: "Error", Message: de.Message}
	}
	return err
}

// DatabaseSize implements do.Storage.
func (h *doHandle) DatabaseSize(ctx context.Context) (int64, error) {
	var n int64
	err := h.with(ctx, func(c *sqliteConn) error { n = c.size(); return nil })
	return n, err
}

// Begin implements do.Storage.
func (h *doHandle) Begin(ctx context.Context) error {
	return h.with(ctx, func(c *sqliteConn) error {
		if err := c.internal(fmt.Sprintf("SAVEPOINT ferry_tx_%d", h.o.depth+1)); err != nil {
			return fmt.Errorf("starting a Durable Object transaction: %w", err)
		}
		h.o.depth++
		return nil
	})
}

// Commit implements do.Storage.
func (h *doHandle) Commit(ctx context.Context) error {
	return h.with(ctx, func(c *sqliteConn) error {
		if h.o.depth == 0 {
			return errors.New("committing a Durable Object transaction: none is open")
		}
		if err := c.internal(fmt.Sprintf("RELEASE ferry_tx_%d", h.o.depth)); err != nil {
			return fmt.Errorf("committing a Durable Object transaction: %w", err)
		}
		h.o.depth--
		return nil
	})
}

// Rollback implements do.Storage.
func (h *doHandle) Rollback(ctx context.Context) error {
	return h.with(ctx, func(c *sqliteConn) error {
		if h.o.depth == 0 {
			return errors.New("rolling back a Durable Object transaction: none is open")
		}
		name := fmt.Sprintf("ferry_tx_%d", h.o.depth)
		h.o.depth--
		if err := c.internal("ROLLBACK TO " + name + "; RELEASE " + name); err != nil {
			return fmt.Errorf("rolling back a Durable Object transaction: %w", err)
		}
		c.lastSize = -1
		return nil
	})
}

// Alarm implements do.Storage.
func (h *doHandle) Alarm(ctx context.Context) (time.Time, bool, error) {
	db, err := h.o.d.alarmDB()
	if err != nil {
		return time.Time{}, false, err
	}
	var at int64
	err = db.QueryRowContext(ctx, `SELECT at FROM alarms WHERE namespace = ? AND id = ?`, h.o.ns, h.o.id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reading a Durable Object alarm: %w", err)
	}
	return time.UnixMilli(at), true, nil
}

// SetAlarm implements do.Storage.
func (h *doHandle) SetAlarm(ctx context.Context, at time.Time) error {
	db, err := h.o.d.alarmDB()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO alarms (namespace, id, at) VALUES (?1, ?2, ?3) ON CONFLICT (namespace, id) DO UPDATE SET at = ?3`, h.o.ns, h.o.id, at.UnixMilli()); err != nil {
		return fmt.Errorf("setting a Durable Object alarm: %w", err)
	}
	return nil
}

// DeleteAlarm implements do.Storage.
func (h *doHandle) DeleteAlarm(ctx context.Context) error {
	db, err := h.o.d.alarmDB()
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM alarms WHERE namespace = ? AND id = ?`, h.o.ns, h.o.id); err != nil {
		return fmt.Errorf("deleting a Durable Object alarm: %w", err)
	}
	return nil
}
