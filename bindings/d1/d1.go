// Package d1 is the Cloudflare D1 binding seen from Go: the Database interface
// every implementation (bindings/local on SQLite, a remote one later)
// satisfies, the values and results that cross it, Cloudflare's limits and the
// error words Workers code sees, so a failing query reads the same everywhere:
//
//	D1_ERROR: no such table: notes: SQLITE_ERROR
//
// Semantics follow Cloudflare's D1 Workers Binding API and the local simulator
// wrangler dev runs (miniflare): one call is one transaction; a statement may
// hold several `;`-separated statements, of which only the last may have
// parameters and only the last one's rows come back; Batch runs its statements
// in one transaction, so a failing statement rolls the whole batch back; Exec
// runs one query per line. Integers come back as int64 (the JS glue turns them
// into numbers, as D1 does), text as string, BLOBs as []byte.
//
// bindings/d1/d1test is the conformance suite every implementation must pass.
// This package imports no JS engine.
package d1

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Cloudflare's documented D1 limits (developers.cloudflare.com/d1/platform/limits).
// They apply to each statement, also inside a batch.
const (
	MaxColumns           = 100       // columns per table (and per result)
	MaxValueSize         = 2_000_000 // bytes of a string, BLOB or row
	MaxSQLLength         = 100_000   // bytes of one SQL statement
	MaxBoundParameters   = 100       // parameters of one query
	MaxFunctionArgs      = 32        // arguments of one SQL function call
	MaxLikePatternLength = 50        // bytes of a LIKE or GLOB pattern
)

// Value is one SQL value: nil (NULL), int64 (INTEGER), float64 (REAL), string
// (TEXT) or []byte (BLOB). Parameters may also be bool (bound as 1 or 0).
type Value = any

// Statement is one prepared query with its parameters, in order (?1 is
// Params[0]).
type Statement struct {
	SQL    string
	Params []Value
	// RowLimit, when above zero, keeps only that many rows in the result
	// (first() needs one); the statement still runs to completion, so an
	// INSERT ... RETURNING writes every row.
	RowLimit int
}

// Meta is what D1 reports about one statement in `meta`.
type Meta struct {
	Duration    time.Duration // time spent running the statement
	SizeAfter   int64         // database size in bytes afterwards
	RowsRead    int64         // rows read (scanned); an estimate locally
	RowsWritten int64         // rows written
	LastRowID   int64         // sqlite3_last_insert_rowid afterwards
	Changes     int64         // rows inserted, updated or deleted
	ChangedDB   bool          // whether the statement changed the database
}

// Result is the outcome of one statement: its columns (which a query that
// returns no rows still has) and rows, each row one Value per column.
type Result struct {
	Columns []string
	Rows    [][]Value
	Meta    Meta
	// SQL is the statement the result belongs to; set by multi-statement
	// scripts (the CLI prints it), empty otherwise.
	SQL string
}

// ExecResult is what exec() returns: how many queries ran and how long they
// took in total.
type ExecResult struct {
	Count    int
	Duration time.Duration
}

// Database is one D1 database. Methods are safe for concurrent use; each call
// is atomic. Errors from SQL are *Error values worded as D1's; other errors
// are the store's own (I/O), which callers report as internal errors.
//
// Example:
//
//	res, err := db.Query(ctx, d1.Statement{SQL: "SELECT * FROM notes WHERE id = ?", Params: []d1.Value{int64(1)}})
//	results, err := db.Batch(ctx, []d1.Statement{{SQL: "INSERT ..."}, {SQL: "UPDATE ..."}})
type Database interface {
	// Query runs one statement (or several separated by `;`, of which only
	// the last may have parameters) in one transaction and returns the last
	// statement's result.
	Query(ctx context.Context, st Statement) (*Result, error)
	// Batch runs statements in order in one transaction and returns one
	// result per statement; when one fails, none of them takes effect.
	Batch(ctx context.Context, sts []Statement) ([]*Result, error)
	// Exec runs sql one line at a time (each line one or more statements,
	// without parameters) in one transaction; empty and comment-only lines
	// are skipped. A failure is an *Error with Code ExecErrorCode naming the
	// line.
	Exec(ctx context.Context, sql string) (ExecResult, error)
	// Dump returns the whole database as an SQLite database file.
	Dump(ctx context.Context) ([]byte, error)
}

// Error codes: the prefix of a D1 error message.
const (
	ErrorCode          = "D1_ERROR"
	ExecErrorCode      = "D1_EXEC_ERROR"
	TypeErrorCode      = "D1_TYPE_ERROR"
	ColumnNotFoundCode = "D1_COLUMN_NOTFOUND"
)

// Messages D1 reports for queries it refuses before SQLite runs them.
const (
	MsgNoStatements   = "No SQL statements detected."
	MsgWrongBindings  = "Wrong number of parameter bindings for SQL query."
	MsgMultiParams    = "When executing multiple SQL statements in a single call, only the last statement can have parameters."
	MsgNoTransactions = "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing."
)

// Error is a failed D1 operation. Error() is the message Workers code sees
// ("D1_ERROR: UNIQUE constraint failed: notes.id: SQLITE_CONSTRAINT");
// Message alone is what D1 puts in the error's cause.
type Error struct {
	Code    string // ErrorCode unless set
	Message string
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = ErrorCode
	}
	return code + ": " + e.Message
}

// Errorf returns a D1_ERROR with message msg.
func Errorf(msg string) *Error { return &Error{Code: ErrorCode, Message: msg} }

// SQLiteError words a SQLite failure as D1 does: SQLite's message, then the
// primary result code's name ("no such table: t: SQLITE_ERROR").
func SQLiteError(msg string, code int) *Error {
	return Errorf(msg + ": " + ResultCodeName(code))
}

// ExecError is the error exec() reports for the query on line (1-based) of
// its input.
func ExecError(line int, sql string, err error) *Error {
	msg := err.Error()
	if e, ok := err.(*Error); ok {
		msg = e.Message
	}
	return &Error{Code: ExecErrorCode, Message: "Error in line " + strconv.Itoa(line) + ": " + sql + ": " + msg}
}

var codeNames = [...]string{
	0: "SQLITE_OK", 1: "SQLITE_ERROR", 2: "SQLITE_INTERNAL", 3: "SQLITE_PERM", 4: "SQLITE_ABORT",
	5: "SQLITE_BUSY", 6: "SQLITE_LOCKED", 7: "SQLITE_NOMEM", 8: "SQLITE_READONLY", 9: "SQLITE_INTERRUPT",
	10: "SQLITE_IOERR", 11: "SQLITE_CORRUPT", 12: "SQLITE_NOTFOUND", 13: "SQLITE_FULL", 14: "SQLITE_CANTOPEN",
	15: "SQLITE_PROTOCOL", 16: "SQLITE_EMPTY", 17: "SQLITE_SCHEMA", 18: "SQLITE_TOOBIG", 19: "SQLITE_CONSTRAINT",
	20: "SQLITE_MISMATCH", 21: "SQLITE_MISUSE", 22: "SQLITE_NOLFS", 23: "SQLITE_AUTH", 24: "SQLITE_FORMAT",
	25: "SQLITE_RANGE", 26: "SQLITE_NOTADB", 27: "SQLITE_NOTICE", 28: "SQLITE_WARNING",
}

// ResultCodeName is the name of SQLite result code code's primary code
// (extended codes name their primary: 2067 is SQLITE_CONSTRAINT).
func ResultCodeName(code int) string {
	if p := code & 0xff; p < len(codeNames) && codeNames[p] != "" {
		return codeNames[p]
	}
	return "SQLITE_ERROR"
}

// Line is one query of an exec() input.
type Line struct {
	Number int    // 1-based, in the trimmed input
	SQL    string // the line as written
}

// ExecLines splits exec()'s input as D1 does: the input is trimmed and split
// at newlines, and every line is one query. Lines holding nothing but space and
// comments are left out.
func ExecLines(sql string) []Line {
	var out []Line
	for i, l := range strings.Split(strings.TrimSpace(sql), "\n") {
		if strings.TrimSpace(SkipSpaceAndComments(l)) == "" {
			continue
		}
		out = append(out, Line{Number: i + 1, SQL: l})
	}
	return out
}

// SkipSpaceAndComments returns s without its leading white space, `--` line
// comments, `/* */` block comments and empty statements (`;`).
func SkipSpaceAndComments(s string) string {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f\v;")
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return ""
			}
			s = s[2+i+2:]
		default:
			return s
		}
	}
}

// IsTransactionControl reports whether the statement sql starts with BEGIN,
// COMMIT, END, ROLLBACK, SAVEPOINT or RELEASE, which D1 refuses
// (MsgNoTransactions): every call already is a transaction.
func IsTransactionControl(sql string) bool {
	s := SkipSpaceAndComments(sql)
	n := 0
	for n < len(s) && (s[n]|0x20 >= 'a' && s[n]|0x20 <= 'z') {
		n++
	}
	switch strings.ToUpper(s[:n]) {
	case "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE":
		return true
	}
	return false
}
