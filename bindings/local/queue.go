package local

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ferry-run/ferry/bindings/queue"
)

// Queue is one queue in the store's queues.sqlite: a durable, at-least-once
// queue that is both a queue.Producer and a queue.Backend.
//
// Every message is a row of one table, keyed by a send sequence number, with
// the time it becomes visible (visible_at), its delivery count (attempts) and,
// while a consumer holds it, a lease token. Receiving a batch is one UPDATE …
// RETURNING that sets the lease, pushes visible_at to the lease's expiry and
// counts the attempt, so two consumers (even in two processes) never lease the
// same message at once, and a lease nobody renews simply runs out: the message
// is visible again. Ack deletes the row, Retry clears the lease and sets
// visible_at to now + delay, DeadLetter moves the row to another queue; each
// matches the lease token, so a consumer whose lease ran out cannot ack a
// message someone else is now processing.
//
// The database runs in WAL mode with synchronous=FULL: a send or an ack that
// returned is on disk, even across a power cut. Nothing is lost when a
// process is killed: rows leave only on Ack (or DeadLetter, which moves them).
//
// Restart recovery: every process that opens the queues holds a shared lock
// on queues.lock in the state directory. The first one to open them after all
// others have gone gets the lock exclusively for a moment and releases every
// lease at once, since their holders are dead — so `ferry dev` restarted after
// a crash redelivers the crashed batch immediately instead of after the lease
// timeout. (Where file locks are unavailable, leases expire as usual.)
type Queue struct {
	s    *queueState
	name string
}

var (
	_ queue.Producer = (*Queue)(nil)
	_ queue.Backend  = (*Queue)(nil)
)

const queueSchema = `
CREATE TABLE IF NOT EXISTS queue_messages (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	queue        TEXT    NOT NULL,
	id           TEXT    NOT NULL UNIQUE,
	timestamp    INTEGER NOT NULL, -- Unix ms when sent
	content_type TEXT    NOT NULL,
	body         BLOB    NOT NULL,
	visible_at   INTEGER NOT NULL, -- Unix ms; while leased, the lease's expiry
	attempts     INTEGER NOT NULL DEFAULT 0,
	lease        TEXT              -- token of the current lease, NULL when none
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue, visible_at);
`

// queueState is the queues database, shared by every Queue of a store.
type queueState struct {
	db   *sql.DB
	q    *queueStmts
	now  func() time.Time
	lock *os.File // shared lock on queues.lock; nil in memory

	mu      sync.Mutex
	changed map[string]chan struct{} // closed when the queue may have a new ready message
}

type queueStmts struct {
	insert, count, oldest, next, receive, extend, ack, retry, deadLetter *sql.Stmt
}

func prepareQueue(db *sql.DB) (*queueStmts, error) {
	q := &queueStmts{}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&q.insert, `INSERT INTO queue_messages (queue, id, timestamp, content_type, body, visible_at) VALUES (?, ?, ?, ?, ?, ?)`},
		{&q.count, `SELECT count(*) FROM (SELECT 1 FROM queue_messages WHERE queue = ? AND visible_at <= ? LIMIT ?)`},
		{&q.oldest, `SELECT min(visible_at) FROM queue_messages WHERE queue = ? AND visible_at <= ?`},
		{&q.next, `SELECT min(visible_at) FROM queue_messages WHERE queue = ? AND visible_at > ?`},
		{&q.receive, `UPDATE queue_messages SET lease = ?, visible_at = ?, attempts = attempts + 1
			WHERE seq IN (SELECT seq FROM queue_messages WHERE queue = ? AND visible_at <= ? ORDER BY visible_at, seq LIMIT ?)
			RETURNING visible_at, seq, id, timestamp, content_type, body, attempts`},
		{&q.extend, `UPDATE queue_messages SET visible_at = ? WHERE id = ? AND lease = ?`},
		{&q.ack, `DELETE FROM queue_messages WHERE id = ? AND lease = ?`},
		{&q.retry, `UPDATE queue_messages SET lease = NULL, visible_at = ? WHERE id = ? AND lease = ?`},
		{&q.deadLetter, `UPDATE queue_messages SET queue = ?, lease = NULL, attempts = 0, visible_at = ? WHERE id = ? AND lease = ?`},
	} {
		st, err := db.Prepare(p.sql)
		if err != nil {
			return nil, fmt.Errorf("preparing the queue statements: %w", err)
		}
		*p.st = st
	}
	return q, nil
}

// Queue returns the queue with the given name (wrangler's queue name),
// opening the queues database on first use. Producers and consumers of the
// same name share the messages.
func (s *Store) Queue(name string) (*Queue, error) {
	if name == "" {
		return nil, errors.New("a queue needs a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("the store is closed")
	}
	if s.queues == nil {
		qs, err := s.openQueues()
		if err != nil {
			return nil, err
		}
		s.queues = qs
	}
	return &Queue{s: s.queues, name: name}, nil
}

func (s *Store) openQueues() (*queueState, error) {
	db, err := s.openDB("queues", queueSchema, "synchronous(FULL)")
	if err != nil {
		return nil, err
	}
	qs := &queueState{db: db, now: s.now, changed: map[string]chan struct{}{}}
	if s.dir != "" {
		lock, alone, err := lockQueues(s.dir)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("locking the queues: %w", err)
		}
		qs.lock = lock
		if alone {
			// Every lease belongs to a process that has died: hand the
			// messages out again now rather than when the leases expire,
			// ready since they were sent, so they keep their order and
			// their batch is due at once.
			if _, err := db.Exec(`UPDATE queue_messages SET lease = NULL, visible_at = min(timestamp, ?) WHERE lease IS NOT NULL`, s.now().UnixMilli()); err != nil {
				qs.close()
				return nil, fmt.Errorf("releasing the leases of a previous run: %w", err)
			}
			if err := shareQueues(lock); err != nil {
				qs.close()
				return nil, fmt.Errorf("locking the queues: %w", err)
			}
		}
	}
	if qs.q, err = prepareQueue(db); err != nil {
		qs.close()
		return nil, err
	}
	return qs, nil
}

func (qs *queueState) close() error {
	err := qs.db.Close()
	if qs.lock != nil {
		qs.lock.Close() // releases the lock
	}
	return err
}

// Name returns the queue's name.
func (q *Queue) Name() string { return q.name }

// Changed returns a channel closed when a message may have become ready in
// this queue through this store (a send without delay, a retry). Consumers
// wait on it between polls; messages sent by other processes, or whose delay
// ends, are seen by polling.
func (q *Queue) Changed() <-chan struct{} {
	return q.s.changedChan(q.name)
}

func (qs *queueState) changedChan(name string) chan struct{} {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	ch := qs.changed[name]
	if ch == nil {
		ch = make(chan struct{})
		qs.changed[name] = ch
	}
	return ch
}

func (qs *queueState) signal(name string) {
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if ch := qs.changed[name]; ch != nil {
		close(ch)
		delete(qs.changed, name)
	}
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Send implements queue.Producer.
func (q *Queue) Send(ctx context.Context, msg queue.Message) error {
	if err := queue.CheckSend(msg); err != nil {
		return err
	}
	now := q.s.now()
	if _, err := q.s.q.insert.ExecContext(ctx, q.insertArgs(msg, now)...); err != nil {
		return fmt.Errorf("storing a queue message: %w", err)
	}
	if msg.Delay() == 0 {
		q.s.signal(q.name)
	}
	return nil
}

func (q *Queue) insertArgs(msg queue.Message, now time.Time) []any {
	return []any{q.name, newMessageID(), now.UnixMilli(), string(msg.ContentType), msg.Body, now.Add(msg.Delay()).UnixMilli()}
}

// SendBatch implements queue.Producer: the messages are stored in one
// transaction.
func (q *Queue) SendBatch(ctx context.Context, msgs []queue.Message) error {
	if err := queue.CheckBatch(msgs); err != nil {
		return err
	}
	now := q.s.now()
	err := q.s.inTx(ctx, func(tx *sql.Tx) error {
		st := tx.StmtContext(ctx, q.s.q.insert)
		defer st.Close()
		for _, m := range msgs {
			if _, err := st.ExecContext(ctx, q.insertArgs(m, now)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storing queue messages: %w", err)
	}
	q.s.signal(q.name)
	return nil
}

func (qs *queueState) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := qs.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Pending implements queue.Backend.
func (q *Queue) Pending(ctx context.Context, limit int) (queue.Pending, error) {
	var p queue.Pending
	now := q.s.now().UnixMilli()
	var oldest, next sql.NullInt64
	err := q.s.q.count.QueryRowContext(ctx, q.name, now, limit).Scan(&p.Visible)
	if err == nil && p.Visible > 0 {
		err = q.s.q.oldest.QueryRowContext(ctx, q.name, now).Scan(&oldest)
	}
	if err == nil {
		err = q.s.q.next.QueryRowContext(ctx, q.name, now).Scan(&next)
	}
	if err != nil {
		return queue.Pending{}, fmt.Errorf("reading queue %s: %w", q.name, err)
	}
	if oldest.Valid {
		p.OldestVisible = time.UnixMilli(oldest.Int64)
	}
	if next.Valid {
		p.NextVisible = time.UnixMilli(next.Int64)
	}
	return p, nil
}

// Receive implements queue.Backend.
func (q *Queue) Receive(ctx context.Context, max int, visibility time.Duration) ([]queue.Delivery, error) {
	if max <= 0 {
		return nil, nil
	}
	now := q.s.now()
	lease := newMessageID()
	rows, err := q.s.q.receive.QueryContext(ctx, lease, now.Add(visibility).UnixMilli(), q.name, now.UnixMilli(), max)
	if err != nil {
		return nil, fmt.Errorf("receiving from queue %s: %w", q.name, err)
	}
	defer rows.Close()
	type row struct {
		seq, ready int64
		d          queue.Delivery
	}
	var got []row
	for rows.Next() {
		var r row
		var ts int64
		var ct string
		if err := rows.Scan(&r.ready, &r.seq, &r.d.ID, &ts, &ct, &r.d.Body, &r.d.Attempts); err != nil {
			return nil, fmt.Errorf("receiving from queue %s: %w", q.name, err)
		}
		r.d.Timestamp = time.UnixMilli(ts)
		r.d.ContentType = queue.ContentType(ct)
		r.d.Receipt = lease + "." + r.d.ID
		if r.d.Body == nil {
			r.d.Body = []byte{}
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("receiving from queue %s: %w", q.name, err)
	}
	// RETURNING rows come in no set order: deliver in send order.
	sort.Slice(got, func(i, j int) bool { return got[i].seq < got[j].seq })
	out := make([]queue.Delivery, len(got))
	for i, r := range got {
		out[i] = r.d
	}
	return out, nil
}

// receipt splits a Receipt into the message id and its lease token.
func receipt(r string) (id, lease string, err error) {
	lease, id, ok := strings.Cut(r, ".")
	if !ok || id == "" || lease == "" {
		return "", "", fmt.Errorf("malformed queue receipt %q", r)
	}
	return id, lease, nil
}

// each runs st with args(id, lease) for every receipt, in one transaction,
// and returns how many rows changed.
func (q *Queue) each(ctx context.Context, what string, receipts []string, st *sql.Stmt, args func(id, lease string) []any) (int64, error) {
	if len(receipts) == 0 {
		return 0, nil
	}
	var n int64
	err := q.s.inTx(ctx, func(tx *sql.Tx) error {
		txst := tx.StmtContext(ctx, st)
		defer txst.Close()
		for _, r := range receipts {
			id, lease, err := receipt(r)
			if err != nil {
				return err
			}
			res, err := txst.ExecContext(ctx, args(id, lease)...)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err == nil {
				n += k
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("%s queue %s messages: %w", what, q.name, err)
	}
	return n, nil
}

// Extend implements queue.Backend.
func (q *Queue) Extend(ctx context.Context, receipts []string, visibility time.Duration) error {
	until := q.s.now().Add(visibility).UnixMilli()
	_, err := q.each(ctx, "extending the lease of", receipts, q.s.q.extend, func(id, lease string) []any {
		return []any{until, id, lease}
	})
	return err
}

// Ack implements queue.Backend.
func (q *Queue) Ack(ctx context.Context, receipts []string) error {
	_, err := q.each(ctx, "acknowledging", receipts, q.s.q.ack, func(id, lease string) []any {
		return []any{id, lease}
	})
	return err
}

// Retry implements queue.Backend.
func (q *Queue) Retry(ctx context.Context, receipts []string, delay time.Duration) error {
	at := q.s.now().Add(delay).UnixMilli()
	n, err := q.each(ctx, "retrying", receipts, q.s.q.retry, func(id, lease string) []any {
		return []any{at, id, lease}
	})
	if n > 0 && delay == 0 {
		q.s.signal(q.name)
	}
	return err
}

// DeadLetter implements queue.Backend.
func (q *Queue) DeadLetter(ctx context.Context, receipts []string, dlq string) error {
	if dlq == "" {
		return errors.New("dead-lettering needs a queue name")
	}
	at := q.s.now().UnixMilli()
	n, err := q.each(ctx, "dead-lettering", receipts, q.s.q.deadLetter, func(id, lease string) []any {
		return []any{dlq, at, id, lease}
	})
	if n > 0 {
		q.s.signal(dlq)
	}
	return err
}

// QueueStats is what a queue holds, for `ferry queues list`.
type QueueStats struct {
	Queue   string `json:"queue"`
	Ready   int    `json:"ready"`   // visible now
	Delayed int    `json:"delayed"` // waiting for a delay or a retry delay
	Leased  int    `json:"leased"`  // held by a consumer
}

// QueueStats returns every queue that holds messages, sorted by name.
func (s *Store) QueueStats(ctx context.Context) ([]QueueStats, error) {
	if _, err := s.Queue("_"); err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	rows, err := s.queues.db.QueryContext(ctx, `SELECT queue,
		count(*) FILTER (WHERE lease IS NULL AND visible_at <= ?1),
		count(*) FILTER (WHERE lease IS NULL AND visible_at > ?1),
		count(*) FILTER (WHERE lease IS NOT NULL)
		FROM queue_messages GROUP BY queue ORDER BY queue`, now)
	if err != nil {
		return nil, fmt.Errorf("reading the queues: %w", err)
	}
	defer rows.Close()
	var out []QueueStats
	for rows.Next() {
		var q QueueStats
		if err := rows.Scan(&q.Queue, &q.Ready, &q.Delayed, &q.Leased); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}
