package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ferry-run/ferry/bindings/d1"
)

// D1 is a D1 database kept in its own SQLite file, <state>/d1/<id>.sqlite
// (a private in-memory database without a state directory). One connection
// serves every call, under a mutex, so each call — a query, a batch, an exec
// — runs alone and atomically; another process (`ferry d1 execute` while
// `ferry dev` serves) waits on SQLite's lock (WAL mode, 10 s busy timeout).
// Single statements stay prepared between calls (an LRU of 128 per
// database).
type D1 struct {
	id   string
	path string // "" in memory

	mu   sync.Mutex
	conn *sqliteConn // nil once closed
}

var _ d1.Database = (*D1)(nil)

// D1 returns the database with the given id (wrangler's d1_databases
// preview_database_id or database_id), creating its file on first use. Every
// call with the same id returns the same *D1.
func (s *Store) D1(databaseID string) (*D1, error) {
	if databaseID == "" {
		return nil, errors.New("a D1 database needs an id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the store is closed")
	}
	if db, ok := s.d1[databaseID]; ok {
		return db, nil
	}
	path := ""
	if s.dir != "" {
		dir := filepath.Join(s.dir, "d1")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the D1 state directory: %w", err)
		}
		path = filepath.Join(dir, d1FileName(databaseID)+".sqlite")
	}
	conn, err := openSQLite(path)
	if err != nil {
		return nil, fmt.Errorf("opening D1 database %s: %w", databaseID, err)
	}
	if s.d1 == nil {
		s.d1 = map[string]*D1{}
	}
	db := &D1{id: databaseID, path: path, conn: conn}
	s.d1[databaseID] = db
	return db, nil
}

// d1FileName is the file name for a database id: the id itself when it is
// made of letters, digits, '-', '_' and '.', as wrangler's UUIDs are, else a
// hash of it.
func d1FileName(id string) string {
	ok := len(id) <= 128 && id[0] != '.'
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	if ok {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "id-" + hex.EncodeToString(sum[:16])
}

// closeD1 closes every D1 database; call with s.mu held.
func (s *Store) closeD1() error {
	var err error
	for _, db := range s.d1 {
		err = errors.Join(err, db.close())
	}
	s.d1 = nil
	return err
}

// ID returns the database id.
func (d *D1) ID() string { return d.id }

// Path returns the database file ("" in memory).
func (d *D1) Path() string { return d.path }

func (d *D1) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return nil
	}
	err := d.conn.close()
	d.conn = nil
	return err
}

// do runs fn on the connection, alone; ctx's end interrupts it.
func (d *D1) do(ctx context.Context, fn func(c *sqliteConn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn == nil {
		return errors.New("the D1 database is closed")
	}
	stop := d.conn.interruptOn(ctx)
	err := fn(d.conn)
	stop()
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("running a D1 query: %w", ctx.Err())
	}
	return err
}

// Query implements d1.Database. A statement run before is prepared already
// and runs without an explicit transaction (one statement is atomic in
// SQLite); anything else runs in one.
func (d *D1) Query(ctx context.Context, st d1.Statement) (res *d1.Result, err error) {
	err = d.do(ctx, func(c *sqliteConn) error {
		if c.cached(st.SQL) {
			res, err = c.run(st, true)
			return err
		}
		return c.tx(func() error {
			res, err = c.run(st, true)
			return err
		})
	})
	return res, err
}

// Batch implements d1.Database.
func (d *D1) Batch(ctx context.Context, sts []d1.Statement) ([]*d1.Result, error) {
	if len(sts) == 0 {
		return nil, d1.Errorf(d1.MsgNoStatements)
	}
	out := make([]*d1.Result, len(sts))
	err := d.do(ctx, func(c *sqliteConn) error {
		return c.tx(func() error {
			for i, st := range sts {
				res, err := c.run(st, true)
				if err != nil {
					return err
				}
				out[i] = res
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Exec implements d1.Database.
func (d *D1) Exec(ctx context.Context, sql string) (d1.ExecResult, error) {
	lines := d1.ExecLines(sql)
	if len(lines) == 0 {
		return d1.ExecResult{}, d1.ExecError(1, "", d1.Errorf(d1.MsgNoStatements))
	}
	var out d1.ExecResult
	err := d.do(ctx, func(c *sqliteConn) error {
		return c.tx(func() error {
			for _, l := range lines {
				res, err := c.run(d1.Statement{SQL: l.SQL}, false)
				if err != nil {
					return d1.ExecError(l.Number, l.SQL, err)
				}
				out.Duration += res.Meta.Duration
			}
			return nil
		})
	})
	if err != nil {
		return d1.ExecResult{}, err
	}
	out.Count = len(lines)
	return out, nil
}

// Dump implements d1.Database.
func (d *D1) Dump(ctx context.Context) (b []byte, err error) {
	err = d.do(ctx, func(c *sqliteConn) error {
		b, err = c.serialize()
		return err
	})
	return b, err
}

// Script runs every statement of sql (separated by `;`, none with
// parameters) in one transaction and returns one result per statement, each
// with its SQL: what `ferry d1 execute` and migrations run.
func (d *D1) Script(ctx context.Context, sql string) ([]*d1.Result, error) {
	var out []*d1.Result
	err := d.do(ctx, func(c *sqliteConn) error {
		return c.tx(func() error {
			var err error
			out, err = c.script(sql)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// script runs the statements of sql one by one: each is prepared only after
// the one before it ran, so later statements may use tables earlier ones
// create.
func (c *sqliteConn) script(sql string) ([]*d1.Result, error) {
	var out []*d1.Result
	rest := sql
	for d1.SkipSpaceAndComments(rest) != "" {
		p, err := c.cstring(&c.sql, rest)
		if err != nil {
			return nil, err
		}
		// Up to the NUL: a script may be longer than one statement may.
		stmt, tail, err := c.prepare(p, -1, false)
		if err != nil {
			return nil, err
		}
		if stmt == 0 {
			break
		}
		c.finalize(stmt)
		n := int(tail - p)
		text := rest[:n]
		rest = rest[n:]
		res, err := c.run(d1.Statement{SQL: text}, false)
		if err != nil {
			return nil, err
		}
		res.SQL = trimStatement(text)
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, d1.Errorf(d1.MsgNoStatements)
	}
	return out, nil
}

// trimStatement drops the space and comments around one statement and its
// final ';'.
func trimStatement(s string) string {
	s = d1.SkipSpaceAndComments(s)
	for len(s) > 0 && (s[len(s)-1] == ';' || s[len(s)-1] == ' ' || s[len(s)-1] == '\n' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
