package local

import (
	"container/list"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ferry-run/ferry/bindings/d1"
)

// sqliteConn is one SQLite connection driven through the C API of
// modernc.org/sqlite (the same pure-Go SQLite the database/sql driver wraps).
// D1 needs what the database/sql driver hides or changes: the storage class
// of every value (the driver turns TEXT in DATETIME columns into time.Time,
// and `created_at DATETIME DEFAULT CURRENT_TIMESTAMP` is in most D1 schemas),
// statement tails to run `;`-separated statements one at a time as D1 does,
// parameter counts, SQLite's result codes for D1's error words, and
// sqlite3_limit for D1's limits.
//
// A sqliteConn is not safe for concurrent use: its D1 holds a mutex around
// every call. Only interrupt may run on another goroutine.
type sqliteConn struct {
	tls *libc.TLS
	db  uintptr
	out uintptr // 16 bytes of C memory for out-parameters
	sql cbuf    // the SQL being prepared, NUL-terminated
	val cbuf    // the value being bound (SQLite copies it: SQLITE_TRANSIENT)

	cache    stmtCache
	pageSize int64
	// lastSize is the database size after the last write (-1: not known);
	// read-only statements report it without asking SQLite again.
	lastSize int64
	// wrote tells whether the current call ran a statement that may write.
	wrote bool
	// Statements prepared once: the database size, and transactions.
	pageCount, begin, commit, rollback uintptr
}

// cbuf is a growable C buffer.
type cbuf struct {
	p uintptr
	n int
}

// stmtCacheSize is how many prepared statements each database keeps: SQLite
// parses a statement in about as long as it runs a point lookup.
const stmtCacheSize = 128

// stmtCache is an LRU of prepared single statements keyed by their SQL.
type stmtCache struct {
	m   map[string]*list.Element
	lru list.List // of *cachedStmt, most recent first
}

type cachedStmt struct {
	sql  string
	stmt uintptr
}

func (c *sqliteConn) free(p uintptr) {
	if p != 0 {
		libc.Xfree(c.tls, p)
	}
}

// grow makes b hold at least n bytes.
func (c *sqliteConn) grow(b *cbuf, n int) error {
	if b.n >= n {
		return nil
	}
	size := max(n, 2*b.n, 256)
	p := libc.Xmalloc(c.tls, types.Size_t(size))
	if p == 0 {
		return fmt.Errorf("sqlite: cannot allocate %d bytes", size)
	}
	c.free(b.p)
	b.p, b.n = p, size
	return nil
}

// cstring copies s into b with a terminating NUL.
func (c *sqliteConn) cstring(b *cbuf, s string) (uintptr, error) {
	if err := c.grow(b, len(s)+1); err != nil {
		return 0, err
	}
	mem := libc.GoBytes(b.p, len(s)+1)
	copy(mem, s)
	mem[len(s)] = 0
	return b.p, nil
}

func (c *sqliteConn) outPtr(i int) uintptr {
	return uintptr(binary.NativeEndian.Uint64(libc.GoBytes(c.out+uintptr(8*i), 8)))
}

// openSQLite opens (creating) the database file at path, or a private
// in-memory database when path is "", with D1's limits and settings.
func openSQLite(path string) (_ *sqliteConn, err error) {
	c := &sqliteConn{tls: libc.NewTLS(), lastSize: -1}
	c.cache.m = map[string]*list.Element{}
	c.out = libc.Xmalloc(c.tls, 16)
	if c.out == 0 {
		c.tls.Close()
		return nil, errors.New("sqlite: out of memory")
	}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	name := path
	if name == "" {
		name = ":memory:"
	}
	p, err := c.cstring(&c.sql, name)
	if err != nil {
		return nil, err
	}
	rc := sqlite3.Xsqlite3_open_v2(c.tls, p, c.out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE|sqlite3.SQLITE_OPEN_FULLMUTEX, 0)
	c.db = c.outPtr(0)
	if rc != sqlite3.SQLITE_OK {
		if c.db == 0 {
			return nil, fmt.Errorf("opening %s: %s", name, libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc)))
		}
		return nil, fmt.Errorf("opening %s: %w", name, c.errorFor(rc))
	}
	sqlite3.Xsqlite3_extended_result_codes(c.tls, c.db, 1)
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, 10_000)
	for _, l := range []struct{ id, n int32 }{
		{sqlite3.SQLITE_LIMIT_COLUMN, d1.MaxColumns},
		{sqlite3.SQLITE_LIMIT_LENGTH, d1.MaxValueSize},
		{sqlite3.SQLITE_LIMIT_SQL_LENGTH, d1.MaxSQLLength},
		{sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, d1.MaxBoundParameters},
		{sqlite3.SQLITE_LIMIT_FUNCTION_ARG, d1.MaxFunctionArgs},
		{sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, d1.MaxLikePatternLength},
	} {
		sqlite3.Xsqlite3_limit(c.tls, c.db, l.id, l.n)
	}
	// D1 enforces foreign keys. WAL lets `ferry d1` read and write while
	// `ferry dev` serves.
	pragmas := []string{"PRAGMA foreign_keys = ON"}
	if path != "" {
		pragmas = append(pragmas, "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")
	}
	for _, q := range pragmas {
		if _, err := c.run(d1.Statement{SQL: q}, false); err != nil {
			return nil, fmt.Errorf("opening %s: %s: %w", name, q, err)
		}
	}
	res, err := c.run(d1.Statement{SQL: "PRAGMA page_size"}, false)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	c.pageSize = res.Rows[0][0].(int64)
	for _, s := range []struct {
		st  *uintptr
		sql string
	}{
		{&c.pageCount, "SELECT page_count FROM pragma_page_count()"},
		{&c.begin, "BEGIN IMMEDIATE"},
		{&c.commit, "COMMIT"},
		{&c.rollback, "ROLLBACK"},
	} {
		if *s.st, _, err = c.prepareString(s.sql); err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
	}
	return c, nil
}

// close releases everything; the connection cannot be used afterwards.
func (c *sqliteConn) close() error {
	var err error
	if c.db != 0 {
		for e := c.cache.lru.Front(); e != nil; e = e.Next() {
			sqlite3.Xsqlite3_finalize(c.tls, e.Value.(*cachedStmt).stmt)
		}
		c.cache.lru.Init()
		clear(c.cache.m)
		for _, st := range []uintptr{c.pageCount, c.begin, c.commit, c.rollback} {
			if st != 0 {
				sqlite3.Xsqlite3_finalize(c.tls, st)
			}
		}
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.errorFor(rc)
		}
		c.db = 0
	}
	c.free(c.sql.p)
	c.free(c.val.p)
	c.free(c.out)
	c.sql, c.val, c.out = cbuf{}, cbuf{}, 0
	c.tls.Close()
	return err
}

// errorFor is the D1 error for result code rc of the last call.
func (c *sqliteConn) errorFor(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db))
	return d1.SQLiteError(msg, int(rc))
}

// prepareString prepares the single statement sql (for Ferry's own SQL).
func (c *sqliteConn) prepareString(sql string) (uintptr, uintptr, error) {
	p, err := c.cstring(&c.sql, sql)
	if err != nil {
		return 0, 0, err
	}
	return c.prepare(p, len(sql), true)
}

// prepare compiles the first statement of the n bytes of SQL at p (or up to
// its NUL when n is -1) and returns it (0 when p holds only space and
// comments) and where the rest starts. As in workerd, a length makes SQLite
// check D1's statement length limit against all n bytes ("statement too
// long").
func (c *sqliteConn) prepare(p uintptr, n int, persistent bool) (stmt, tail uintptr, err error) {
	var flags uint32
	if persistent {
		flags = sqlite3.SQLITE_PREPARE_PERSISTENT
	}
	rc := sqlite3.Xsqlite3_prepare_v3(c.tls, c.db, p, int32(min(n, math.MaxInt32)), flags, c.out, c.out+8)
	if rc != sqlite3.SQLITE_OK {
		return 0, 0, c.errorFor(rc)
	}
	return c.outPtr(0), c.outPtr(1), nil
}

// interruptOn makes ctx's end interrupt the statements running on c; call
// the returned func before the next call on c. SQLite forgets an interrupt
// that arrives while no statement runs (between two statements of a batch,
// or just before the first), so it is repeated until the call ends.
func (c *sqliteConn) interruptOn(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	finished := make(chan struct{})
	done := make(chan struct{})
	db := c.db
	stopFn := context.AfterFunc(ctx, func() {
		defer close(done)
		// A TLS of its own: c.tls belongs to the goroutine running the
		// statement.
		tls := libc.NewTLS()
		defer tls.Close()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			sqlite3.Xsqlite3_interrupt(tls, db)
			select {
			case <-finished:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(finished)
		if !stopFn() {
			<-done
		}
	}
}

// stepToEnd runs one of Ferry's own prepared statements and resets it.
func (c *sqliteConn) stepToEnd(st uintptr) error {
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, st); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			sqlite3.Xsqlite3_reset(c.tls, st)
			return nil
		default:
			err := c.errorFor(rc)
			sqlite3.Xsqlite3_reset(c.tls, st)
			return err
		}
	}
}

// tx runs fn in one transaction: committed when fn succeeds, rolled back
// when it fails.
func (c *sqliteConn) tx(fn func() error) error {
	if err := c.stepToEnd(c.begin); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		err = c.stepToEnd(c.commit)
	}
	if err != nil {
		if sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) == 0 {
			_ = c.stepToEnd(c.rollback)
		}
		c.lastSize = -1 // a write may have been rolled back
		return err
	}
	return nil
}

// size is the database size in bytes.
func (c *sqliteConn) size() int64 {
	var n int64
	if sqlite3.Xsqlite3_step(c.tls, c.pageCount) == sqlite3.SQLITE_ROW {
		n = sqlite3.Xsqlite3_column_int64(c.tls, c.pageCount, 0)
	}
	sqlite3.Xsqlite3_reset(c.tls, c.pageCount)
	return n * c.pageSize
}

// cached reports whether sql is a cached single statement (which runs
// without an explicit transaction: SQLite makes one statement atomic).
func (c *sqliteConn) cached(sql string) bool {
	_, ok := c.cache.m[sql]
	return ok
}

func (c *sqliteConn) cacheGet(sql string) uintptr {
	e, ok := c.cache.m[sql]
	if !ok {
		return 0
	}
	c.cache.lru.MoveToFront(e)
	return e.Value.(*cachedStmt).stmt
}

func (c *sqliteConn) cachePut(sql string, stmt uintptr) {
	c.cache.m[sql] = c.cache.lru.PushFront(&cachedStmt{sql: sql, stmt: stmt})
	if c.cache.lru.Len() > stmtCacheSize {
		old := c.cache.lru.Remove(c.cache.lru.Back()).(*cachedStmt)
		delete(c.cache.m, old.sql)
		sqlite3.Xsqlite3_finalize(c.tls, old.stmt)
	}
}

// run executes st (one statement or several separated by `;`) and returns
// the last statement's result with D1's meta. It does not open a
// transaction: callers wrap multi-statement SQL in tx. useCache keeps a
// single statement prepared for the next call with the same SQL.
func (c *sqliteConn) run(st d1.Statement, useCache bool) (*d1.Result, error) {
	beforeChanges := sqlite3.Xsqlite3_total_changes64(c.tls, c.db)
	beforeRowID := sqlite3.Xsqlite3_last_insert_rowid(c.tls, c.db)
	if c.lastSize < 0 && c.pageCount != 0 {
		c.lastSize = c.size()
	}
	beforeSize := c.lastSize
	c.wrote = false
	start := time.Now()
	res := &d1.Result{}
	stmt, owned, err := c.lastStatement(st, useCache)
	if err != nil {
		return nil, err
	}
	if sqlite3.Xsqlite3_stmt_readonly(c.tls, stmt) == 0 {
		c.wrote = true
	}
	err = c.execute(stmt, st, res)
	if owned {
		sqlite3.Xsqlite3_finalize(c.tls, stmt)
	}
	if err != nil {
		return nil, err
	}
	m := &res.Meta
	m.Duration = time.Since(start)
	m.Changes = sqlite3.Xsqlite3_total_changes64(c.tls, c.db) - beforeChanges
	m.LastRowID = sqlite3.Xsqlite3_last_insert_rowid(c.tls, c.db)
	if c.wrote && c.pageCount != 0 {
		c.lastSize = c.size()
	}
	m.SizeAfter = max(c.lastSize, 0)
	m.RowsWritten = m.Changes
	m.ChangedDB = m.Changes != 0 || m.LastRowID != beforeRowID || m.SizeAfter != beforeSize
	return res, nil
}

// lastStatement prepares st.SQL, running every statement but the last, and
// returns the last one, prepared; owned tells whether the caller finalizes it
// (it is not cached).
func (c *sqliteConn) lastStatement(st d1.Statement, useCache bool) (stmt uintptr, owned bool, err error) {
	if useCache {
		if stmt := c.cacheGet(st.SQL); stmt != 0 {
			return stmt, false, nil
		}
	}
	base, err := c.cstring(&c.sql, st.SQL)
	if err != nil {
		return 0, false, err
	}
	p := base
	first := true
	for {
		stmt, tail, err := c.prepare(p, len(st.SQL)-int(p-base), useCache && first)
		if err != nil {
			return 0, false, err
		}
		off := int(tail - base)
		if stmt == 0 {
			// Only space and comments: no statement at all (a tail of
			// comments after the last statement ends the loop below).
			return 0, false, d1.Errorf(d1.MsgNoStatements)
		}
		if d1.IsTransactionControl(st.SQL[int(p-base):off]) {
			sqlite3.Xsqlite3_finalize(c.tls, stmt)
			return 0, false, d1.Errorf(d1.MsgNoTransactions)
		}
		if d1.SkipSpaceAndComments(st.SQL[off:]) == "" {
			if useCache && first {
				c.cachePut(st.SQL, stmt)
				return stmt, false, nil
			}
			return stmt, true, nil
		}
		// Not the last statement: run it now, discarding its rows.
		if sqlite3.Xsqlite3_bind_parameter_count(c.tls, stmt) != 0 {
			sqlite3.Xsqlite3_finalize(c.tls, stmt)
			return 0, false, d1.Errorf(d1.MsgMultiParams)
		}
		if sqlite3.Xsqlite3_stmt_readonly(c.tls, stmt) == 0 {
			c.wrote = true
		}
		err = c.stepToEnd(stmt)
		sqlite3.Xsqlite3_finalize(c.tls, stmt)
		if err != nil {
			return 0, false, err
		}
		p = tail
		first = false
	}
}

// execute binds st.Params to stmt, steps it to the end and fills res; it
// leaves stmt reset with no bindings.
func (c *sqliteConn) execute(stmt uintptr, st d1.Statement, res *d1.Result) error {
	defer func() {
		sqlite3.Xsqlite3_reset(c.tls, stmt)
		sqlite3.Xsqlite3_clear_bindings(c.tls, stmt)
	}()
	if int(sqlite3.Xsqlite3_bind_parameter_count(c.tls, stmt)) != len(st.Params) {
		return d1.Errorf(d1.MsgWrongBindings)
	}
	for i, v := range st.Params {
		if err := c.bind(stmt, int32(i+1), v); err != nil {
			return err
		}
	}
	n := int(sqlite3.Xsqlite3_column_count(c.tls, stmt))
	if n > 0 {
		res.Columns = make([]string, n)
		for i := range res.Columns {
			res.Columns[i] = libc.GoString(sqlite3.Xsqlite3_column_name(c.tls, stmt, int32(i)))
		}
	}
	var returned int64
	for {
		switch rc := sqlite3.Xsqlite3_step(c.tls, stmt); rc {
		case sqlite3.SQLITE_ROW:
			returned++
			if st.RowLimit > 0 && len(res.Rows) >= st.RowLimit {
				continue
			}
			res.Rows = append(res.Rows, c.row(stmt, n))
		case sqlite3.SQLITE_DONE:
			scanned := int64(sqlite3.Xsqlite3_stmt_status(c.tls, stmt, sqlite3.SQLITE_STMTSTATUS_FULLSCAN_STEP, 0))
			res.Meta.RowsRead = max(returned, scanned)
			return nil
		default:
			return c.errorFor(rc)
		}
	}
}

// row reads the current row's n values, copying them out of SQLite.
func (c *sqliteConn) row(stmt uintptr, n int) []d1.Value {
	row := make([]d1.Value, n)
	for i := range row {
		col := int32(i)
		switch sqlite3.Xsqlite3_column_type(c.tls, stmt, col) {
		case sqlite3.SQLITE_INTEGER:
			row[i] = int64(sqlite3.Xsqlite3_column_int64(c.tls, stmt, col))
		case sqlite3.SQLITE_FLOAT:
			row[i] = sqlite3.Xsqlite3_column_double(c.tls, stmt, col)
		case sqlite3.SQLITE_TEXT:
			p := sqlite3.Xsqlite3_column_text(c.tls, stmt, col)
			size := int(sqlite3.Xsqlite3_column_bytes(c.tls, stmt, col))
			row[i] = string(libc.GoBytes(p, size))
		case sqlite3.SQLITE_BLOB:
			p := sqlite3.Xsqlite3_column_blob(c.tls, stmt, col)
			size := int(sqlite3.Xsqlite3_column_bytes(c.tls, stmt, col))
			b := make([]byte, size)
			if size > 0 {
				copy(b, libc.GoBytes(p, size))
			}
			row[i] = b
		default:
			row[i] = nil
		}
	}
	return row
}

// bind binds v to parameter i (1-based).
func (c *sqliteConn) bind(stmt uintptr, i int32, v d1.Value) error {
	var rc int32
	switch v := v.(type) {
	case nil:
		rc = sqlite3.Xsqlite3_bind_null(c.tls, stmt, i)
	case int64:
		rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, i, v)
	case int:
		rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, i, int64(v))
	case bool:
		var n int64
		if v {
			n = 1
		}
		rc = sqlite3.Xsqlite3_bind_int64(c.tls, stmt, i, n)
	case float64:
		if math.IsNaN(v) {
			rc = sqlite3.Xsqlite3_bind_null(c.tls, stmt, i)
		} else {
			rc = sqlite3.Xsqlite3_bind_double(c.tls, stmt, i, v)
		}
	case string:
		if len(v) > math.MaxInt32 {
			return d1.SQLiteError("string or blob too big", sqlite3.SQLITE_TOOBIG)
		}
		if err := c.grow(&c.val, len(v)+1); err != nil {
			return err
		}
		copy(libc.GoBytes(c.val.p, len(v)), v)
		rc = sqlite3.Xsqlite3_bind_text(c.tls, stmt, i, c.val.p, int32(len(v)), sqlite3.SQLITE_TRANSIENT)
	case []byte:
		if len(v) > math.MaxInt32 {
			return d1.SQLiteError("string or blob too big", sqlite3.SQLITE_TOOBIG)
		}
		if len(v) == 0 {
			rc = sqlite3.Xsqlite3_bind_zeroblob(c.tls, stmt, i, 0)
			break
		}
		if err := c.grow(&c.val, len(v)); err != nil {
			return err
		}
		copy(libc.GoBytes(c.val.p, len(v)), v)
		rc = sqlite3.Xsqlite3_bind_blob(c.tls, stmt, i, c.val.p, int32(len(v)), sqlite3.SQLITE_TRANSIENT)
	default:
		return fmt.Errorf("d1: cannot bind a %T", v)
	}
	if rc != sqlite3.SQLITE_OK {
		return c.errorFor(rc)
	}
	return nil
}

// serialize returns the database as an SQLite file image.
func (c *sqliteConn) serialize() ([]byte, error) {
	name, err := c.cstring(&c.sql, "main")
	if err != nil {
		return nil, err
	}
	p := sqlite3.Xsqlite3_serialize(c.tls, c.db, name, c.out, 0)
	if p == 0 {
		return nil, errors.New("sqlite: cannot serialize the database")
	}
	defer sqlite3.Xsqlite3_free(c.tls, p)
	n := int(int64(binary.NativeEndian.Uint64(libc.GoBytes(c.out, 8))))
	out := make([]byte, n)
	copy(out, libc.GoBytes(p, n))
	return out, nil
}

// finalize frees a statement that is not cached.
func (c *sqliteConn) finalize(st uintptr) { sqlite3.Xsqlite3_finalize(c.tls, st) }
