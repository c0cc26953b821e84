package local

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferry-run/ferry/bindings/r2"
)

// R2 is an R2 bucket in the store. Object bytes are files under
// <state>/r2/blobs, named by random ids and never changed once written;
// r2.sqlite indexes them: one row per object (with its metadata), per
// multipart upload and per uploaded part. An object put in one piece is one
// blob; a multipart object is its parts' blobs, read one after another.
//
// Writes are atomic: a value is streamed to a temporary file (hashing it on
// the way), renamed into blobs/, and only then does one SQLite transaction
// point the key at it; a crash before the commit leaves an unreferenced file,
// which the next open removes. Blobs an overwrite or delete replaced are
// removed after the commit, or when the last reader still streaming them
// (a get's body) is done: a body stays readable after its object changed.
//
// With an in-memory store the blobs live in a temporary directory removed
// on Close.
type R2 struct {
	st     *r2Store
	bucket string
}

var _ r2.Bucket = (*R2)(nil)

// r2Store is the state shared by every bucket of a Store.
type r2Store struct {
	db      *sql.DB
	q       *r2Stmts
	blobs   string // directory of blob files
	tmp     string // directory of files being written
	memDir  string // removed on close; "" on disk
	now     func() time.Time
	minPart int64

	// gc orders blob removal after readers: a get reads an object's row and
	// takes references to its blobs under gc.RLock; removing blobs takes
	// gc.Lock, so a blob is never removed between a get reading its row and
	// holding it.
	gc     sync.RWMutex
	refsMu sync.Mutex
	refs   map[string]int  // blob id → open readers
	doomed map[string]bool // blobs to remove when their last reader is done
}

const r2Schema = `
CREATE TABLE IF NOT EXISTS r2_objects (
	bucket          TEXT NOT NULL,
	key             BLOB NOT NULL,
	blob            TEXT,            -- NULL for a multipart object
	upload_id       TEXT,            -- a multipart object's upload: its parts
	version         TEXT NOT NULL,
	size            INTEGER NOT NULL,
	etag            TEXT NOT NULL,
	uploaded        INTEGER NOT NULL, -- Unix milliseconds
	checksums       TEXT NOT NULL,    -- JSON {"md5": hex, ...}
	http_metadata   TEXT NOT NULL,    -- JSON
	custom_metadata TEXT NOT NULL,    -- JSON object of strings
	storage_class   TEXT NOT NULL,
	PRIMARY KEY (bucket, key)
);
CREATE TABLE IF NOT EXISTS r2_uploads (
	upload_id       TEXT PRIMARY KEY,
	bucket          TEXT NOT NULL,
	key             BLOB NOT NULL,
	state           INTEGER NOT NULL, -- 0 in progress, 1 completed, 2 aborted
	created         INTEGER NOT NULL,
	http_metadata   TEXT NOT NULL,
	custom_metadata TEXT NOT NULL,
	storage_class   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS r2_parts (
	upload_id   TEXT NOT NULL,
	part_number INTEGER NOT NULL,
	blob        TEXT NOT NULL,
	size        INTEGER NOT NULL,
	etag        TEXT NOT NULL,
	md5         BLOB NOT NULL,
	PRIMARY KEY (upload_id, part_number)
);
`

const (
	uploadInProgress = 0
	uploadCompleted  = 1
	uploadAborted    = 2
)

// r2Stmts are the read statements, prepared once; writes run on one
// connection inside BEGIN IMMEDIATE (see write).
type r2Stmts struct {
	head, get, parts *sql.Stmt
}

const objectColumns = `key, version, size, etag, uploaded, checksums, http_metadata, custom_metadata, storage_class`

// R2 returns the bucket with the given name (wrangler's bucket_name or
// preview_bucket_name), creating r2.sqlite and the blob directories on first
// use.
func (s *Store) R2(bucket string) (*R2, error) {
	if bucket == "" {
		return nil, errors.New("an R2 bucket needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the store is closed")
	}
	if s.r2 == nil {
		st, err := s.openR2()
		if err != nil {
			return nil, err
		}
		s.r2 = st
	}
	return &R2{st: s.r2, bucket: bucket}, nil
}

func (s *Store) openR2() (*r2Store, error) {
	st := &r2Store{now: s.now, minPart: r2.MinPartSize, refs: map[string]int{}, doomed: map[string]bool{}}
	root := filepath.Join(s.dir, "r2")
	if s.dir == "" {
		d, err := os.MkdirTemp("", "ferry-r2-")
		if err != nil {
			return nil, fmt.Errorf("creating the R2 blob directory: %w", err)
		}
		st.memDir, root = d, d
	}
	st.blobs, st.tmp = filepath.Join(root, "blobs"), filepath.Join(root, "tmp")
	for _, d := range []string{st.blobs, st.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			st.removeMem()
			return nil, fmt.Errorf("creating the R2 blob directory: %w", err)
		}
	}
	db, err := s.openDB("r2", r2Schema)
	if err != nil {
		st.removeMem()
		return nil, err
	}
	st.db = db
	st.q = &r2Stmts{}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&st.q.head, `SELECT ` + objectColumns + ` FROM r2_objects WHERE bucket = ? AND key = ?`},
		{&st.q.get, `SELECT ` + objectColumns + `, blob, upload_id FROM r2_objects WHERE bucket = ? AND key = ?`},
		{&st.q.parts, `SELECT blob, size FROM r2_parts WHERE upload_id = ? ORDER BY part_number`},
	} {
		if *p.st, err = db.Prepare(p.sql); err != nil {
			st.close()
			return nil, fmt.Errorf("preparing the r2 statements: %w", err)
		}
	}
	if s.dir != "" {
		st.sweep()
	}
	return st, nil
}

// sweepAge is how old an unreferenced blob or temporary file must be for an
// open to remove it: younger ones may belong to a write in flight in another
// process (ferry dev while `ferry r2` runs).
const sweepAge = time.Hour

// sweep removes what a crash left: temporary files, and blobs no row
// points at.
func (st *r2Store) sweep() {
	cutoff := time.Now().Add(-sweepAge)
	old := func(dir string) []string {
		entries, _ := os.ReadDir(dir)
		var out []string
		for _, e := range entries {
			if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
				out = append(out, e.Name())
			}
		}
		return out
	}
	for _, name := range old(st.tmp) {
		_ = os.Remove(filepath.Join(st.tmp, name))
	}
	candidates := old(st.blobs)
	if len(candidates) == 0 {
		return
	}
	live := map[string]bool{}
	rows, err := st.db.Query(`SELECT blob FROM r2_objects WHERE blob IS NOT NULL UNION ALL SELECT blob FROM r2_parts`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if rows.Scan(&id) == nil {
			live[id] = true
		}
	}
	if rows.Err() != nil {
		return
	}
	for _, name := range candidates {
		if !live[name] {
			_ = os.Remove(filepath.Join(st.blobs, name))
		}
	}
}

func (st *r2Store) close() error {
	var err error
	if st.db != nil {
		err = st.db.Close()
	}
	st.removeMem()
	return err
}

func (st *r2Store) removeMem() {
	if st.memDir != "" {
		_ = os.RemoveAll(st.memDir)
	}
}

// R2Buckets returns the names of the buckets that hold objects, sorted.
func (s *Store) R2Buckets(ctx context.Context) ([]string, error) {
	if _, err := s.R2("_"); err != nil {
		return nil, err
	}
	rows, err := s.r2.db.QueryContext(ctx, `SELECT DISTINCT bucket FROM r2_objects ORDER BY bucket`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// --- blobs ---

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// written is a value stored as a blob, not yet referenced by any row.
type written struct {
	id   string
	size int64
	h    *r2.Hasher
}

// writeBlob streams value into a new blob (through a temporary file),
// hashing it. It fails with EntityTooLarge past r2.MaxObjectSize.
func (st *r2Store) writeBlob(ctx context.Context, op string, value io.Reader, want r2.Checksums) (written, error) {
	f, err := os.CreateTemp(st.tmp, "put-")
	if err != nil {
		return written{}, fmt.Errorf("writing an R2 object: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (written, error) {
		f.Close()
		_ = os.Remove(tmp)
		return written{}, err
	}
	h := r2.NewHasher(want)
	if value == nil {
		value = strings.NewReader("")
	}
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(value, r2.MaxObjectSize+1))
	if err != nil {
		return fail(fmt.Errorf("writing an R2 object: %w", err))
	}
	if err := r2.CheckSize(op, n); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("writing an R2 object: %w", err))
	}
	id := randomHex(16)
	if err := os.Rename(tmp, filepath.Join(st.blobs, id)); err != nil {
		_ = os.Remove(tmp)
		return written{}, fmt.Errorf("writing an R2 object: %w", err)
	}
	return written{id: id, size: n, h: h}, nil
}

// remove deletes blobs no row points at any more, now or when their last
// reader is done.
func (st *r2Store) remove(ids []string) {
	if len(ids) == 0 {
		return
	}
	st.gc.Lock()
	st.refsMu.Lock()
	var now []string
	for _, id := range ids {
		if st.refs[id] > 0 {
			st.doomed[id] = true
		} else {
			now = append(now, id)
		}
	}
	st.refsMu.Unlock()
	st.gc.Unlock()
	for _, id := range now {
		_ = os.Remove(filepath.Join(st.blobs, id))
	}
}

// acquire notes readers of blobs (call under gc.RLock).
func (st *r2Store) acquire(ids []string) {
	st.refsMu.Lock()
	for _, id := range ids {
		st.refs[id]++
	}
	st.refsMu.Unlock()
}

func (st *r2Store) release(ids []string) {
	st.refsMu.Lock()
	var now []string
	for _, id := range ids {
		if st.refs[id]--; st.refs[id] <= 0 {
			delete(st.refs, id)
			if st.doomed[id] {
				delete(st.doomed, id)
				now = append(now, id)
			}
		}
	}
	st.refsMu.Unlock()
	for _, id := range now {
		_ = os.Remove(filepath.Join(st.blobs, id))
	}
}

// blobSlice is part of a blob a body reads.
type blobSlice struct {
	id          string
	off, length int64
}

// heldBlobs are the references a body holds; they are released once, at
// EOF, on Close, or when the body is garbage (a body nobody read).
type heldBlobs struct {
	st   *r2Store
	ids  []string
	once sync.Once
}

func (h *heldBlobs) release() { h.once.Do(func() { h.st.release(h.ids) }) }

// body reads an object's bytes from its blobs, opening each file only when
// the reading gets there, so a body nobody reads holds no file open.
type body struct {
	st     *r2Store
	slices []blobSlice
	f      *os.File
	cur    io.Reader
	held   *heldBlobs
	closed bool
}

func newBody(st *r2Store, slices []blobSlice, ids []string) *body {
	h := &heldBlobs{st: st, ids: ids}
	b := &body{st: st, slices: slices, held: h}
	runtime.AddCleanup(b, func(h *heldBlobs) { h.release() }, h)
	return b
}

func (b *body) Read(p []byte) (int, error) {
	for {
		if b.closed {
			return 0, os.ErrClosed
		}
		if b.cur == nil {
			if len(b.slices) == 0 {
				b.held.release()
				return 0, io.EOF
			}
			s := b.slices[0]
			b.slices = b.slices[1:]
			f, err := os.Open(filepath.Join(b.st.blobs, s.id))
			if err != nil {
				return 0, fmt.Errorf("reading an R2 object: %w", err)
			}
			b.f, b.cur = f, io.NewSectionReader(f, s.off, s.length)
		}
		n, err := b.cur.Read(p)
		if err == io.EOF {
			b.f.Close()
			b.f, b.cur = nil, nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (b *body) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	if b.f != nil {
		b.f.Close()
		b.f, b.cur = nil, nil
	}
	b.held.release()
	return nil
}

// --- rows ---

type httpMetadataJSON struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	CacheExpiry        *int64 `json:"cacheExpiry,omitempty"` // Unix ms
}

func encodeHTTP(m r2.HTTPMetadata) string {
	j := httpMetadataJSON{m.ContentType, m.ContentLanguage, m.ContentDisposition, m.ContentEncoding, m.CacheControl, nil}
	if !m.CacheExpiry.IsZero() {
		ms := m.CacheExpiry.UnixMilli()
		j.CacheExpiry = &ms
	}
	b, _ := json.Marshal(j)
	return string(b)
}

func decodeHTTP(s string) (*r2.HTTPMetadata, error) {
	var j httpMetadataJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return nil, err
	}
	m := &r2.HTTPMetadata{ContentType: j.ContentType, ContentLanguage: j.ContentLanguage,
		ContentDisposition: j.ContentDisposition, ContentEncoding: j.ContentEncoding, CacheControl: j.CacheControl}
	if j.CacheExpiry != nil {
		m.CacheExpiry = time.UnixMilli(*j.CacheExpiry).UTC()
	}
	return m, nil
}

func encodeCustom(m map[string]string) string {
	if m == nil {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

type checksumsJSON struct {
	MD5    string `json:"md5,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	SHA384 string `json:"sha384,omitempty"`
	SHA512 string `json:"sha512,omitempty"`
}

func encodeChecksums(c r2.Checksums) string {
	b, _ := json.Marshal(checksumsJSON{hex.EncodeToString(c.MD5), hex.EncodeToString(c.SHA1),
		hex.EncodeToString(c.SHA256), hex.EncodeToString(c.SHA384), hex.EncodeToString(c.SHA512)})
	return string(b)
}

func decodeChecksums(s string) (r2.Checksums, error) {
	var j checksumsJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return r2.Checksums{}, err
	}
	dec := func(h string) []byte {
		if h == "" {
			return nil
		}
		b, _ := hex.DecodeString(h)
		return b
	}
	return r2.Checksums{MD5: dec(j.MD5), SHA1: dec(j.SHA1), SHA256: dec(j.SHA256), SHA384: dec(j.SHA384), SHA512: dec(j.SHA512)}, nil
}

// objectRow scans objectColumns (plus extra destinations) into an Object.
type objectRow struct {
	key                                  []byte
	o                                    r2.Object
	uploaded                             int64
	checksums, httpMeta, custom, storage string
}

func (r *objectRow) dest(extra ...any) []any {
	return append([]any{&r.key, &r.o.Version, &r.o.Size, &r.o.ETag, &r.uploaded, &r.checksums, &r.httpMeta, &r.custom, &r.storage}, extra...)
}

func (r *objectRow) object(withHTTP, withCustom bool) (r2.Object, error) {
	o := r.o
	o.Key = string(r.key)
	o.Uploaded = time.UnixMilli(r.uploaded).UTC()
	o.StorageClass = r.storage
	var err error
	if o.Checksums, err = decodeChecksums(r.checksums); err != nil {
		return o, fmt.Errorf("reading R2 object %q: %w", o.Key, err)
	}
	if withHTTP {
		if o.HTTPMetadata, err = decodeHTTP(r.httpMeta); err != nil {
			return o, fmt.Errorf("reading R2 object %q: %w", o.Key, err)
		}
	}
	if withCustom {
		o.CustomMetadata = map[string]string{}
		if err := json.Unmarshal([]byte(r.custom), &o.CustomMetadata); err != nil {
			return o, fmt.Errorf("reading R2 object %q: %w", o.Key, err)
		}
	}
	return o, nil
}

// --- writes ---

// conn is what a write transaction runs statements on.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in a transaction that holds SQLite's write lock from the
// start (BEGIN IMMEDIATE), so its reads and writes see one state even with
// another process writing. fn returns the blobs the change left unreferenced;
// they are removed after the commit.
func (st *r2Store) write(ctx context.Context, fn func(c conn) (garbage []string, err error)) error {
	c, err := st.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writing R2 data: %w", err)
	}
	garbage, err := transact(ctx, c, fn)
	// The connection goes back to the pool before blobs are removed:
	// removal waits for gets in flight, which may wait for a connection.
	c.Close()
	if err != nil {
		return err
	}
	st.remove(garbage)
	return nil
}

func transact(ctx context.Context, c *sql.Conn, fn func(c conn) ([]string, error)) ([]string, error) {
	if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return nil, fmt.Errorf("writing R2 data: %w", err)
	}
	garbage, err := fn(c)
	if err == nil {
		if _, err = c.ExecContext(ctx, `COMMIT`); err != nil {
			err = fmt.Errorf("writing R2 data: %w", err)
		}
	}
	if err != nil {
		_, _ = c.ExecContext(context.Background(), `ROLLBACK`)
		return nil, err
	}
	return garbage, nil
}

// dropObject deletes key's row and returns the blobs it used.
func (b *R2) dropObject(ctx context.Context, c conn, key string) ([]string, error) {
	var blob, upload sql.NullString
	err := c.QueryRowContext(ctx, `DELETE FROM r2_objects WHERE bucket = ? AND key = ? RETURNING blob, upload_id`,
		b.bucket, []byte(key)).Scan(&blob, &upload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deleting R2 object: %w", err)
	}
	if blob.Valid {
		return []string{blob.String}, nil
	}
	return dropParts(ctx, c, upload.String)
}

// dropParts deletes an upload's parts and returns their blobs.
func dropParts(ctx context.Context, c conn, uploadID string) ([]string, error) {
	rows, err := c.QueryContext(ctx, `DELETE FROM r2_parts WHERE upload_id = ? RETURNING blob`, uploadID)
	if err != nil {
		return nil, fmt.Errorf("deleting R2 parts: %w", err)
	}
	return scanIDs(rows)
}

func scanIDs(rows *sql.Rows) ([]string, error) {
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

// --- Bucket ---

// Head implements r2.Bucket.
func (b *R2) Head(ctx context.Context, key string) (*r2.Object, error) {
	if err := r2.CheckKey(r2.OpHead, key); err != nil {
		return nil, err
	}
	var r objectRow
	err := b.st.q.head.QueryRowContext(ctx, b.bucket, []byte(key)).Scan(r.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading R2 object: %w", err)
	}
	o, err := r.object(true, true)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// Get implements r2.Bucket.
func (b *R2) Get(ctx context.Context, key string, opts r2.GetOptions) (*r2.GetResult, error) {
	if err := r2.CheckKey(r2.OpGet, key); err != nil {
		return nil, err
	}
	st := b.st
	st.gc.RLock()
	defer st.gc.RUnlock()
	var r objectRow
	var blob, upload sql.NullString
	err := st.q.get.QueryRowContext(ctx, b.bucket, []byte(key)).Scan(r.dest(&blob, &upload)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading R2 object: %w", err)
	}
	o, err := r.object(true, true)
	if err != nil {
		return nil, err
	}
	if !opts.OnlyIf.Holds(&o) {
		return &r2.GetResult{Object: o}, nil
	}
	rng, err := r2.ResolveRange(r2.OpGet, opts, o.Size)
	if err != nil {
		return nil, err
	}
	o.Range = &rng
	// The blobs (all of them, for a multipart object) and where the range
	// falls in each.
	type piece struct {
		id   string
		size int64
	}
	var pieces []piece
	if blob.Valid {
		pieces = []piece{{blob.String, o.Size}}
	} else {
		rows, err := st.q.parts.QueryContext(ctx, upload.String)
		if err != nil {
			return nil, fmt.Errorf("reading R2 object: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p piece
			if err := rows.Scan(&p.id, &p.size); err != nil {
				return nil, fmt.Errorf("reading R2 object: %w", err)
			}
			pieces = append(pieces, p)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading R2 object: %w", err)
		}
	}
	var slices []blobSlice
	var ids []string
	start, end := rng.Offset, rng.Offset+rng.Length
	var at int64
	for _, p := range pieces {
		lo, hi := max(start, at), min(end, at+p.size)
		if lo < hi {
			slices = append(slices, blobSlice{id: p.id, off: lo - at, length: hi - lo})
			ids = append(ids, p.id)
		}
		at += p.size
	}
	st.acquire(ids)
	return &r2.GetResult{Object: o, Body: newBody(st, slices, ids)}, nil
}

// Put implements r2.Bucket.
func (b *R2) Put(ctx context.Context, key string, value io.Reader, opts r2.PutOptions) (*r2.Object, error) {
	if err := r2.CheckPut(key, opts); err != nil {
		return nil, err
	}
	st := b.st
	w, err := st.writeBlob(ctx, r2.OpPut, value, opts.Checksums)
	if err != nil {
		return nil, err
	}
	sums, err := w.h.Verify(r2.OpPut, opts.Checksums)
	if err != nil {
		st.remove([]string{w.id})
		return nil, err
	}
	o := &r2.Object{
		Key: key, Version: randomHex(16), Size: w.size, ETag: hex.EncodeToString(sums.MD5),
		Uploaded: time.UnixMilli(st.now().UnixMilli()).UTC(), HTTPMetadata: &opts.HTTPMetadata,
		CustomMetadata: opts.CustomMetadata, Checksums: sums, StorageClass: storageClass(opts.StorageClass),
	}
	if o.CustomMetadata == nil {
		o.CustomMetadata = map[string]string{}
	}
	held := true
	err = st.write(ctx, func(c conn) ([]string, error) {
		if opts.OnlyIf != nil {
			cur, err := b.current(ctx, c, key)
			if err != nil {
				return nil, err
			}
			if !opts.OnlyIf.Holds(cur) {
				held = false
				return nil, errPrecondition
			}
		}
		garbage, err := b.dropObject(ctx, c, key)
		if err != nil {
			return nil, err
		}
		_, err = c.ExecContext(ctx, `INSERT INTO r2_objects (bucket, key, blob, upload_id, version, size, etag, uploaded, checksums, http_metadata, custom_metadata, storage_class)
			VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.bucket, []byte(key), w.id, o.Version, o.Size, o.ETag, o.Uploaded.UnixMilli(), encodeChecksums(sums),
			encodeHTTP(opts.HTTPMetadata), encodeCustom(opts.CustomMetadata), o.StorageClass)
		if err != nil {
			return nil, fmt.Errorf("writing R2 object: %w", err)
		}
		return garbage, nil
	})
	if err != nil {
		st.remove([]string{w.id})
		if !held {
			return nil, nil
		}
		return nil, err
	}
	return o, nil
}

var errPrecondition = errors.New("precondition failed")

func storageClass(s string) string {
	if s == "" {
		return r2.StorageStandard
	}
	return s
}

// current reads key's etag and upload time for a condition (nil: none).
func (b *R2) current(ctx context.Context, c conn, key string) (*r2.Object, error) {
	var o r2.Object
	var uploaded int64
	err := c.QueryRowContext(ctx, `SELECT etag, uploaded FROM r2_objects WHERE bucket = ? AND key = ?`, b.bucket, []byte(key)).Scan(&o.ETag, &uploaded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading R2 object: %w", err)
	}
	o.Uploaded = time.UnixMilli(uploaded)
	return &o, nil
}

// Delete implements r2.Bucket.
func (b *R2) Delete(ctx context.Context, keys []string) error {
	if err := r2.CheckDelete(keys); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	return b.st.write(ctx, func(c conn) ([]string, error) {
		var garbage []string
		for _, k := range keys {
			g, err := b.dropObject(ctx, c, k)
			if err != nil {
				return nil, err
			}
			garbage = append(garbage, g...)
		}
		return garbage, nil
	})
}

// List implements r2.Bucket.
func (b *R2) List(ctx context.Context, opts r2.ListOptions) (r2.ListResult, error) {
	limit, after, hasAfter, empty, err := r2.CheckList(opts)
	res := r2.ListResult{Objects: []r2.Object{}, DelimitedPrefixes: []string{}}
	if err != nil || empty {
		return res, err
	}
	// Keys from max(prefix, just after `after`) to the end of the prefix
	// range. A delimited prefix stands for all its keys: the scan jumps past
	// them. One entry more than the limit tells whether there is another page.
	lower := []byte(opts.Prefix)
	if hasAfter && after >= opts.Prefix {
		lower = append([]byte(after), 0)
	}
	upper := r2.PrefixEnd(opts.Prefix)
	type entry struct {
		obj    *r2.Object
		prefix string
	}
	var entries []entry
	for len(entries) <= limit {
		q := `SELECT ` + objectColumns + ` FROM r2_objects WHERE bucket = ? AND key >= ?`
		args := []any{b.bucket, lower}
		if upper != nil {
			q += ` AND key < ?`
			args = append(args, upper)
		}
		q += ` ORDER BY key LIMIT ?`
		args = append(args, limit+1-len(entries))
		rows, err := b.st.db.QueryContext(ctx, q, args...)
		if err != nil {
			return res, fmt.Errorf("listing R2 objects: %w", err)
		}
		n, jumped := 0, false
		for rows.Next() {
			n++
			var r objectRow
			if err := rows.Scan(r.dest()...); err != nil {
				rows.Close()
				return res, fmt.Errorf("listing R2 objects: %w", err)
			}
			key := string(r.key)
			if dp := r2.DelimitedPrefix(key, opts.Prefix, opts.Delimiter); dp != "" {
				entries = append(entries, entry{prefix: dp})
				lower, jumped = r2.PrefixEnd(dp), true
				break
			}
			o, err := r.object(opts.IncludeHTTPMetadata, opts.IncludeCustomMetadata)
			if err != nil {
				rows.Close()
				return res, err
			}
			entries = append(entries, entry{obj: &o})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return res, fmt.Errorf("listing R2 objects: %w", err)
		}
		if !jumped || lower == nil || n == 0 {
			break
		}
	}
	if len(entries) > limit {
		entries = entries[:limit]
		res.Truncated = true
		last := entries[limit-1]
		if last.obj != nil {
			res.Cursor = r2.Cursor(last.obj.Key)
		} else {
			// After a delimited prefix the next page starts past its last key.
			var k []byte
			q := `SELECT max(key) FROM r2_objects WHERE bucket = ? AND key >= ?`
			args := []any{b.bucket, []byte(last.prefix)}
			if end := r2.PrefixEnd(last.prefix); end != nil {
				q += ` AND key < ?`
				args = append(args, end)
			}
			if err := b.st.db.QueryRowContext(ctx, q, args...).Scan(&k); err != nil {
				return res, fmt.Errorf("listing R2 objects: %w", err)
			}
			res.Cursor = r2.Cursor(string(k))
		}
	}
	for _, e := range entries {
		if e.obj != nil {
			res.Objects = append(res.Objects, *e.obj)
		} else {
			res.DelimitedPrefixes = append(res.DelimitedPrefixes, e.prefix)
		}
	}
	return res, nil
}

// --- multipart ---

// CreateMultipartUpload implements r2.Bucket.
func (b *R2) CreateMultipartUpload(ctx context.Context, key string, opts r2.MultipartOptions) (string, error) {
	if err := r2.CheckKey(r2.OpCreate, key); err != nil {
		return "", err
	}
	if err := r2.CheckMetadata(r2.OpCreate, opts.CustomMetadata, opts.StorageClass); err != nil {
		return "", err
	}
	id := make([]byte, 48)
	_, _ = rand.Read(id)
	uploadID := base64.RawURLEncoding.EncodeToString(id)
	_, err := b.st.db.ExecContext(ctx, `INSERT INTO r2_uploads (upload_id, bucket, key, state, created, http_metadata, custom_metadata, storage_class)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, uploadID, b.bucket, []byte(key), uploadInProgress, b.st.now().UnixMilli(),
		encodeHTTP(opts.HTTPMetadata), encodeCustom(opts.CustomMetadata), storageClass(opts.StorageClass))
	if err != nil {
		return "", fmt.Errorf("creating R2 multipart upload: %w", err)
	}
	return uploadID, nil
}

// upload reads an upload's state: found is false when key has no upload
// with that id in this bucket.
func (b *R2) upload(ctx context.Context, c conn, key, uploadID string) (state int, found bool, err error) {
	err = c.QueryRowContext(ctx, `SELECT state FROM r2_uploads WHERE upload_id = ? AND bucket = ? AND key = ?`,
		uploadID, b.bucket, []byte(key)).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading R2 multipart upload: %w", err)
	}
	return state, true, nil
}

// UploadPart implements r2.Bucket.
func (b *R2) UploadPart(ctx context.Context, key, uploadID string, partNumber int, value io.Reader) (r2.UploadedPart, error) {
	if err := r2.CheckKey(r2.OpPart, key); err != nil {
		return r2.UploadedPart{}, err
	}
	if err := r2.CheckPartNumber(partNumber); err != nil {
		return r2.UploadedPart{}, err
	}
	st := b.st
	// Check the upload before reading a possibly large value.
	state, found, err := b.upload(ctx, st.db, key, uploadID)
	if err != nil {
		return r2.UploadedPart{}, err
	}
	if !found || state != uploadInProgress {
		return r2.UploadedPart{}, r2.ErrNoSuchUpload(r2.OpPart)
	}
	w, err := st.writeBlob(ctx, r2.OpPart, value, r2.Checksums{})
	if err != nil {
		return r2.UploadedPart{}, err
	}
	sums, _ := w.h.Verify(r2.OpPart, r2.Checksums{})
	part := r2.UploadedPart{PartNumber: partNumber, ETag: randomHex(16)}
	err = st.write(ctx, func(c conn) ([]string, error) {
		state, found, err := b.upload(ctx, c, key, uploadID)
		if err != nil {
			return nil, err
		}
		if !found || state != uploadInProgress {
			return nil, r2.ErrNoSuchUpload(r2.OpPart)
		}
		var old []string
		rows, err := c.QueryContext(ctx, `DELETE FROM r2_parts WHERE upload_id = ? AND part_number = ? RETURNING blob`, uploadID, partNumber)
		if err != nil {
			return nil, fmt.Errorf("writing R2 part: %w", err)
		}
		if old, err = scanIDs(rows); err != nil {
			return nil, fmt.Errorf("writing R2 part: %w", err)
		}
		_, err = c.ExecContext(ctx, `INSERT INTO r2_parts (upload_id, part_number, blob, size, etag, md5) VALUES (?, ?, ?, ?, ?, ?)`,
			uploadID, partNumber, w.id, w.size, part.ETag, sums.MD5)
		if err != nil {
			return nil, fmt.Errorf("writing R2 part: %w", err)
		}
		return old, nil
	})
	if err != nil {
		st.remove([]string{w.id})
		return r2.UploadedPart{}, err
	}
	return part, nil
}

// CompleteMultipartUpload implements r2.Bucket.
func (b *R2) CompleteMultipartUpload(ctx context.Context, key, uploadID string, parts []r2.UploadedPart) (*r2.Object, error) {
	if err := r2.CheckKey(r2.OpComplete, key); err != nil {
		return nil, err
	}
	for _, p := range parts {
		if err := r2.CheckPartNumber(p.PartNumber); err != nil {
			return nil, err
		}
	}
	var o *r2.Object
	err := b.st.write(ctx, func(c conn) ([]string, error) {
		var state int
		var httpMeta, custom, storage string
		err := c.QueryRowContext(ctx, `SELECT state, http_metadata, custom_metadata, storage_class FROM r2_uploads WHERE upload_id = ? AND bucket = ? AND key = ?`,
			uploadID, b.bucket, []byte(key)).Scan(&state, &httpMeta, &custom, &storage)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, r2.ErrInternal(r2.OpComplete)
		}
		if err != nil {
			return nil, fmt.Errorf("reading R2 multipart upload: %w", err)
		}
		if state != uploadInProgress {
			return nil, r2.ErrNoSuchUpload(r2.OpComplete)
		}
		uploaded := map[int]r2.StoredPart{}
		blobs := map[int]string{}
		rows, err := c.QueryContext(ctx, `SELECT part_number, etag, size, md5, blob FROM r2_parts WHERE upload_id = ?`, uploadID)
		if err != nil {
			return nil, fmt.Errorf("reading R2 parts: %w", err)
		}
		for rows.Next() {
			var p r2.StoredPart
			var blob string
			if err := rows.Scan(&p.PartNumber, &p.ETag, &p.Size, &p.MD5, &blob); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading R2 parts: %w", err)
			}
			uploaded[p.PartNumber], blobs[p.PartNumber] = p, blob
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("reading R2 parts: %w", err)
		}
		chosen, err := r2.PlanCompletion(parts, uploaded, b.st.minPart)
		if err != nil {
			return nil, err
		}
		var size int64
		used := map[int]bool{}
		for _, p := range chosen {
			size += p.Size
			used[p.PartNumber] = true
		}
		if size > r2.MaxMultipartSize {
			return nil, r2.ErrInternal(r2.OpComplete)
		}
		garbage, err := b.dropObject(ctx, c, key)
		if err != nil {
			return nil, err
		}
		var unused []int
		for n := range uploaded {
			if !used[n] {
				unused = append(unused, n)
				garbage = append(garbage, blobs[n])
			}
		}
		sort.Ints(unused)
		for _, n := range unused {
			if _, err := c.ExecContext(ctx, `DELETE FROM r2_parts WHERE upload_id = ? AND part_number = ?`, uploadID, n); err != nil {
				return nil, fmt.Errorf("writing R2 parts: %w", err)
			}
		}
		hm, err := decodeHTTP(httpMeta)
		if err != nil {
			return nil, fmt.Errorf("reading R2 multipart upload: %w", err)
		}
		cm := map[string]string{}
		if err := json.Unmarshal([]byte(custom), &cm); err != nil {
			return nil, fmt.Errorf("reading R2 multipart upload: %w", err)
		}
		o = &r2.Object{Key: key, Version: randomHex(16), Size: size, ETag: r2.MultipartETag(chosen),
			Uploaded: time.UnixMilli(b.st.now().UnixMilli()).UTC(), HTTPMetadata: hm, CustomMetadata: cm, StorageClass: storage}
		_, err = c.ExecContext(ctx, `INSERT INTO r2_objects (bucket, key, blob, upload_id, version, size, etag, uploaded, checksums, http_metadata, custom_metadata, storage_class)
			VALUES (?, ?, NULL, ?, ?, ?, ?, ?, '{}', ?, ?, ?)`,
			b.bucket, []byte(key), uploadID, o.Version, o.Size, o.ETag, o.Uploaded.UnixMilli(), httpMeta, custom, storage)
		if err != nil {
			return nil, fmt.Errorf("writing R2 object: %w", err)
		}
		if _, err := c.ExecContext(ctx, `UPDATE r2_uploads SET state = ? WHERE upload_id = ?`, uploadCompleted, uploadID); err != nil {
			return nil, fmt.Errorf("writing R2 multipart upload: %w", err)
		}
		return garbage, nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// AbortMultipartUpload implements r2.Bucket.
func (b *R2) AbortMultipartUpload(ctx context.Context, key, uploadID string) error {
	if err := r2.CheckKey(r2.OpAbort, key); err != nil {
		return err
	}
	return b.st.write(ctx, func(c conn) ([]string, error) {
		state, found, err := b.upload(ctx, c, key, uploadID)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, r2.ErrInternal(r2.OpAbort)
		}
		if state != uploadInProgress {
			return nil, nil // aborting twice, or after completing, does nothing
		}
		garbage, err := dropParts(ctx, c, uploadID)
		if err != nil {
			return nil, err
		}
		if _, err := c.ExecContext(ctx, `UPDATE r2_uploads SET state = ? WHERE upload_id = ?`, uploadAborted, uploadID); err != nil {
			return nil, fmt.Errorf("writing R2 multipart upload: %w", err)
		}
		return garbage, nil
	})
}
