package env

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/d1"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
)

// d1Glue is the D1Database, D1PreparedStatement and D1DatabaseSession
// classes on one runtime: Cloudflare's D1 Workers Binding API over a
// d1.Database. Parameters are converted (and bytes copied) on the loop when
// bind() is called; SQL runs on a worker goroutine; results become JS values
// back on the loop, so JS values never leave it.
type d1Glue struct {
	vm   *goja.Runtime
	loop *loop.Loop

	db, stmt, session *js.Class
	errorCtor         *goja.Object
}

// d1Database is the Go value behind an env.DB object.
type d1Database struct {
	js.Expando
	db d1.Database
}

// d1Statement is a D1PreparedStatement: SQL and converted parameters. bind()
// returns a new statement, so one prepared statement can be bound many times.
type d1Statement struct {
	js.Expando
	db      *d1Database
	session *d1Session // nil for statements from env.DB.prepare
	sql     string
	params  []d1.Value
}

// d1Session is a D1DatabaseSession. Ferry's local database has no replicas:
// every query sees every earlier write; the bookmark only records that a
// query ran.
type d1Session struct {
	js.Expando
	db       *d1Database
	bookmark string // "" until a query runs in the session (unless given)
}

// d1QueryTimeout is D1's maximum SQL query duration; a longer query is
// interrupted, so a runaway query cannot hold the database.
const d1QueryTimeout = 30 * time.Second

func newD1Glue(l *loop.Loop) *d1Glue {
	vm := l.VM()
	g := &d1Glue{vm: vm, loop: l}
	g.errorCtor = vm.Get("Error").ToObject(vm)

	g.db = js.NewClass(vm, "D1Database", 0, nil)
	js.Operation(vm, g.db.Proto, "prepare", 1, g.prepare)
	js.Operation(vm, g.db.Proto, "batch", 1, g.batch)
	js.Operation(vm, g.db.Proto, "exec", 1, g.exec)
	js.Operation(vm, g.db.Proto, "withSession", 0, g.withSession)
	js.Operation(vm, g.db.Proto, "dump", 0, g.dump)

	g.stmt = js.NewClass(vm, "D1PreparedStatement", 0, nil)
	js.Operation(vm, g.stmt.Proto, "bind", 0, g.bind)
	js.Operation(vm, g.stmt.Proto, "first", 0, g.first)
	js.Operation(vm, g.stmt.Proto, "all", 0, func(call goja.FunctionCall) goja.Value { return g.all(call) })
	js.Operation(vm, g.stmt.Proto, "run", 0, func(call goja.FunctionCall) goja.Value { return g.all(call) })
	js.Operation(vm, g.stmt.Proto, "raw", 0, g.raw)
	js.Attribute(vm, g.stmt.Proto, "statement", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(js.This[*d1Statement](vm, call).sql)
	}, nil)
	js.Attribute(vm, g.stmt.Proto, "params", func(call goja.FunctionCall) goja.Value {
		st := js.This[*d1Statement](vm, call)
		out := make([]any, len(st.params))
		for i, p := range st.params {
			out[i] = g.paramValue(p)
		}
		return vm.NewArray(out...)
	}, nil)

	g.session = js.NewClass(vm, "D1DatabaseSession", 0, nil)
	js.Operation(vm, g.session.Proto, "prepare", 1, g.prepare)
	js.Operation(vm, g.session.Proto, "batch", 1, g.batch)
	js.Operation(vm, g.session.Proto, "getBookmark", 0, func(call goja.FunctionCall) goja.Value {
		s := js.This[*d1Session](vm, call)
		if s.bookmark == "" {
			return goja.Null()
		}
		return vm.ToValue(s.bookmark)
	})
	return g
}

func (g *d1Glue) wrap(db d1.Database) *goja.Object {
	return g.db.Wrap(&d1Database{db: db})
}

// receiver returns the database and session (nil for env.DB itself) a
// prepare() or batch() call is made on.
func (g *d1Glue) receiver(call goja.FunctionCall) (*d1Database, *d1Session) {
	if s, ok := js.Unwrap[*d1Session](call.This); ok {
		return s.db, s
	}
	return js.This[*d1Database](g.vm, call), nil
}

func (g *d1Glue) prepare(call goja.FunctionCall) goja.Value {
	db, s := g.receiver(call)
	return g.stmt.Wrap(&d1Statement{db: db, session: s, sql: js.Arg(call, 0).String()})
}

// d1Error returns new Error("<code>: <message>", {cause: new Error(cause)}),
// the shape of every error D1 throws.
func (g *d1Glue) d1Error(code, message, cause string) *goja.Object {
	vm := g.vm
	obj, err := vm.New(g.errorCtor, vm.ToValue(code+": "+message))
	if err != nil {
		panic(err)
	}
	c, err := vm.New(g.errorCtor, vm.ToValue(cause))
	if err != nil {
		panic(err)
	}
	_ = obj.DefineDataProperty("cause", c, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return obj
}

// jsError turns a store error into the Error D1 rejects with.
func (g *d1Glue) jsError(err error) goja.Value {
	var de *d1.Error
	if errors.As(err, &de) {
		code := de.Code
		if code == "" {
			code = d1.ErrorCode
		}
		return g.d1Error(code, de.Message, de.Message)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg := fmt.Sprintf("the query ran longer than D1's limit of %v and was interrupted", d1QueryTimeout)
		return g.d1Error(d1.ErrorCode, msg, msg)
	}
	return g.d1Error(d1.ErrorCode, err.Error(), err.Error())
}

// async runs work off the loop (with D1's query timeout) and settles the
// returned promise on the loop with settle's result; a JS exception thrown by
// settle rejects it.
func (g *d1Glue) async(work func(ctx context.Context) (any, error), settle func(any) goja.Value) goja.Value {
	timeout := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), d1QueryTimeout)
	}
	return runIO(g.loop, timeout, work, g.jsError, settle)
}

func (g *d1Glue) rejected(v goja.Value) goja.Value { return rejectedPromise(g.vm, v) }

// bind returns a new statement with values converted as D1 converts them:
// numbers (integral ones as INTEGER, others as REAL; NaN and ±Infinity as
// NULL, as JSON has them), strings, booleans as 1 or 0, null, ArrayBuffers,
// views and arrays of byte values as BLOBs. Anything else throws
// D1_TYPE_ERROR.
func (g *d1Glue) bind(call goja.FunctionCall) goja.Value {
	st := js.This[*d1Statement](g.vm, call)
	params := make([]d1.Value, len(call.Arguments))
	for i, v := range call.Arguments {
		params[i] = g.param(v)
	}
	return g.stmt.Wrap(&d1Statement{db: st.db, session: st.session, sql: st.sql, params: params})
}

func (g *d1Glue) param(v goja.Value) d1.Value {
	vm := g.vm
	obj, isObj := v.(*goja.Object)
	if !isObj {
		switch {
		case goja.IsNumber(v):
			return numberParam(v.ToFloat())
		case goja.IsString(v):
			return v.String()
		case goja.IsNull(v):
			return nil
		case goja.IsUndefined(v):
			panic(g.typeError("undefined", "undefined"))
		case goja.IsBigInt(v):
			panic(g.typeError("bigint", v.String()))
		}
		if b, ok := v.Export().(bool); ok {
			if b {
				return int64(1)
			}
			return int64(0)
		}
		panic(vm.NewTypeError("Cannot convert a Symbol value to a string"))
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		panic(g.typeError("function", obj.String()))
	}
	if obj.ClassName() == "Array" {
		if b, ok := byteArray(obj); ok {
			return b
		}
		panic(g.typeError("object", obj.String()))
	}
	if b, ok := js.Bytes(vm, obj); ok {
		// A view of elements wider than a byte is converted element by
		// element, as Array.from(view) then new Uint8Array(...) do in D1.
		if n := obj.Get("BYTES_PER_ELEMENT"); n != nil && n.ToInteger() > 1 {
			return elementBytes(obj)
		}
		return append([]byte{}, b...)
	}
	panic(g.typeError("object", obj.String()))
}

func (g *d1Glue) typeError(typ, value string) *goja.Object {
	msg := "Type '" + typ + "' not supported for value '" + value + "'"
	return g.d1Error(d1.TypeErrorCode, msg, msg)
}

// numberParam is how a JS number reaches SQLite: D1 sends parameters as
// JSON, so NaN and ±Infinity become NULL and integral numbers INTEGER.
func numberParam(f float64) d1.Value {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return nil
	case f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63:
		return int64(f)
	}
	return f
}

// byteArray converts an Array whose every element is a number in [0, 256).
func byteArray(arr *goja.Object) ([]byte, bool) {
	n := arr.Get("length").ToInteger()
	out := make([]byte, n)
	for i := int64(0); i < n; i++ {
		v := arr.Get(strconv.FormatInt(i, 10))
		if v == nil || !goja.IsNumber(v) {
			return nil, false
		}
		f := v.ToFloat()
		if !(f >= 0 && f < 256) {
			return nil, false
		}
		out[i] = byte(f)
	}
	return out, true
}

// elementBytes converts a typed array element by element to bytes modulo
// 256 (Uint8Array's conversion).
func elementBytes(view *goja.Object) []byte {
	n := view.Get("length").ToInteger()
	out := make([]byte, n)
	for i := int64(0); i < n; i++ {
		f := view.Get(strconv.FormatInt(i, 10)).ToFloat()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		out[i] = byte(int64(math.Mod(math.Trunc(f), 256)))
	}
	return out
}

// paramValue is a bound parameter as statement.params shows it.
func (g *d1Glue) paramValue(p d1.Value) any {
	if b, ok := p.([]byte); ok {
		return g.byteArray(b)
	}
	return g.value(p)
}

// value converts one SQL value to JS: integers and reals to numbers (D1 has
// no BigInt: integers beyond 2^53 lose precision), text to strings, BLOBs to
// arrays of byte values, NULL to null.
func (g *d1Glue) value(v d1.Value) goja.Value {
	switch v := v.(type) {
	case nil:
		return goja.Null()
	case int64:
		if v > 1<<53 || v < -(1<<53) {
			return g.vm.ToValue(float64(v))
		}
		return g.vm.ToValue(v)
	case float64:
		return g.vm.ToValue(v)
	case string:
		return g.vm.ToValue(v)
	case []byte:
		return g.byteArray(v)
	}
	return g.vm.ToValue(v)
}

func (g *d1Glue) byteArray(b []byte) goja.Value {
	items := make([]any, len(b))
	for i, c := range b {
		items[i] = int64(c)
	}
	return g.vm.NewArray(items...)
}

// columnKeys returns the result's column names as JS values, made once per
// result.
func (g *d1Glue) columnKeys(cols []string) []goja.Value {
	keys := make([]goja.Value, len(cols))
	for i, c := range cols {
		keys[i] = g.vm.ToValue(c)
	}
	return keys
}

// rowObjects converts rows to objects keyed by column name; with duplicate
// names the last column wins, as in D1.
func (g *d1Glue) rowObjects(res *d1.Result) goja.Value {
	vm := g.vm
	cols := res.Columns
	out := make([]any, len(res.Rows))
	for i, row := range res.Rows {
		o := vm.NewObject()
		for j, v := range row {
			_ = o.Set(cols[j], g.value(v))
		}
		out[i] = o
	}
	return vm.NewArray(out...)
}

// metaObject is a result's meta, with the keys D1 reports.
func (g *d1Glue) metaObject(m d1.Meta) *goja.Object {
	vm := g.vm
	ms := float64(m.Duration) / float64(time.Millisecond)
	o := vm.NewObject()
	_ = o.Set("served_by", "ferry.db")
	_ = o.Set("served_by_region", "local")
	_ = o.Set("served_by_primary", true)
	timings := vm.NewObject()
	_ = timings.Set("sql_duration_ms", ms)
	_ = o.Set("timings", timings)
	_ = o.Set("duration", ms)
	_ = o.Set("changes", m.Changes)
	_ = o.Set("last_row_id", m.LastRowID)
	_ = o.Set("changed_db", m.ChangedDB)
	_ = o.Set("size_after", m.SizeAfter)
	_ = o.Set("rows_read", m.RowsRead)
	_ = o.Set("rows_written", m.RowsWritten)
	return o
}

// resultObject is a D1Result: {success: true, meta, results}.
func (g *d1Glue) resultObject(res *d1.Result) *goja.Object {
	o := g.vm.NewObject()
	_ = o.Set("success", true)
	_ = o.Set("meta", g.metaObject(res.Meta))
	_ = o.Set("results", g.rowObjects(res))
	return o
}

// query runs st and settles with settle's conversion of the result; a
// session's bookmark moves on when the query succeeds.
func (g *d1Glue) query(st *d1Statement, rowLimit int, settle func(*d1.Result) goja.Value) goja.Value {
	stmt := d1.Statement{SQL: st.sql, Params: st.params, RowLimit: rowLimit}
	db := st.db.db
	return g.async(func(ctx context.Context) (any, error) {
		return db.Query(ctx, stmt)
	}, func(r any) goja.Value {
		if st.session != nil {
			st.session.advance()
		}
		return settle(r.(*d1.Result))
	})
}

func (g *d1Glue) all(call goja.FunctionCall) goja.Value {
	st := js.This[*d1Statement](g.vm, call)
	return g.query(st, 0, func(res *d1.Result) goja.Value { return g.resultObject(res) })
}

// first returns the first row, or one column of it, or null without rows.
func (g *d1Glue) first(call goja.FunctionCall) goja.Value {
	st := js.This[*d1Statement](g.vm, call)
	col := js.Arg(call, 0)
	name := ""
	if !goja.IsUndefined(col) {
		name = col.String()
	}
	return g.query(st, 1, func(res *d1.Result) goja.Value {
		if len(res.Rows) == 0 {
			return goja.Null()
		}
		row := res.Rows[0]
		if goja.IsUndefined(col) {
			o := g.vm.NewObject()
			for j, v := range row {
				_ = o.Set(res.Columns[j], g.value(v))
			}
			return o
		}
		for j := len(res.Columns) - 1; j >= 0; j-- {
			if res.Columns[j] == name {
				return g.value(row[j])
			}
		}
		panic(g.d1Error(d1.ColumnNotFoundCode, "Column not found ("+name+")", "Column not found"))
	})
}

// raw returns rows as arrays, after the column names with {columnNames: true}.
func (g *d1Glue) raw(call goja.FunctionCall) goja.Value {
	vm := g.vm
	st := js.This[*d1Statement](vm, call)
	names := false
	if o, ok := js.Arg(call, 0).(*goja.Object); ok {
		names = o.Get("columnNames").ToBoolean()
	}
	return g.query(st, 0, func(res *d1.Result) goja.Value {
		out := make([]any, 0, len(res.Rows)+1)
		if names {
			cols := make([]any, len(res.Columns))
			for i, c := range res.Columns {
				cols[i] = c
			}
			out = append(out, vm.NewArray(cols...))
		}
		for _, row := range res.Rows {
			vals := make([]any, len(row))
			for i, v := range row {
				vals[i] = g.value(v)
			}
			out = append(out, vm.NewArray(vals...))
		}
		return vm.NewArray(out...)
	})
}

// batch runs statements in one transaction: all of them or none.
func (g *d1Glue) batch(call goja.FunctionCall) goja.Value {
	vm := g.vm
	dbv, session := g.receiver(call)
	arr, ok := js.Arg(call, 0).(*goja.Object)
	if !ok || arr.ClassName() != "Array" {
		return g.rejected(vm.NewTypeError("D1_ERROR: batch() takes an array of D1PreparedStatement"))
	}
	n := arr.Get("length").ToInteger()
	sts := make([]d1.Statement, n)
	for i := int64(0); i < n; i++ {
		st, ok := js.Unwrap[*d1Statement](arr.Get(strconv.FormatInt(i, 10)))
		if !ok {
			return g.rejected(vm.NewTypeError(fmt.Sprintf("D1_ERROR: batch() statement %d is not a D1PreparedStatement", i)))
		}
		sts[i] = d1.Statement{SQL: st.sql, Params: st.params}
	}
	db := dbv.db
	return g.async(func(ctx context.Context) (any, error) {
		return db.Batch(ctx, sts)
	}, func(r any) goja.Value {
		if session != nil {
			session.advance()
		}
		results := r.([]*d1.Result)
		out := make([]any, len(results))
		for i, res := range results {
			out[i] = g.resultObject(res)
		}
		return vm.NewArray(out...)
	})
}

// exec runs one query per line of its argument.
func (g *d1Glue) exec(call goja.FunctionCall) goja.Value {
	vm := g.vm
	db := js.This[*d1Database](vm, call).db
	sql := js.Arg(call, 0).String()
	return g.async(func(ctx context.Context) (any, error) {
		return db.Exec(ctx, sql)
	}, func(r any) goja.Value {
		res := r.(d1.ExecResult)
		o := vm.NewObject()
		_ = o.Set("count", res.Count)
		_ = o.Set("duration", float64(res.Duration)/float64(time.Millisecond))
		return o
	})
}

// dump returns the database as an SQLite file in an ArrayBuffer (on
// Cloudflare, only D1's alpha databases still answer it).
func (g *d1Glue) dump(call goja.FunctionCall) goja.Value {
	vm := g.vm
	db := js.This[*d1Database](vm, call).db
	return g.async(func(ctx context.Context) (any, error) {
		return db.Dump(ctx)
	}, func(r any) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(r.([]byte)))
	})
}

// Session constraints (withSession's argument when it is not a bookmark).
const (
	d1FirstPrimary       = "first-primary"
	d1FirstUnconstrained = "first-unconstrained"
)

func (g *d1Glue) withSession(call goja.FunctionCall) goja.Value {
	vm := g.vm
	db := js.This[*d1Database](vm, call)
	s := &d1Session{db: db}
	if v := js.Arg(call, 0); !js.IsNullish(v) {
		if !goja.IsString(v) {
			panic(vm.NewTypeError("constraintOrBookmark?.trim is not a function"))
		}
		if b := strings.TrimSpace(v.String()); b != "" && b != d1FirstPrimary && b != d1FirstUnconstrained {
			s.bookmark = b
		}
	}
	return g.session.Wrap(s)
}

// d1Bookmarks numbers the queries sessions run, so a later query's bookmark
// sorts after an earlier one's, as D1's do.
var d1Bookmarks atomic.Uint64

func (s *d1Session) advance() {
	b := fmt.Sprintf("%08x-00000000-00000000-%032x", 0, d1Bookmarks.Add(1))
	if b > s.bookmark {
		s.bookmark = b
	}
}
