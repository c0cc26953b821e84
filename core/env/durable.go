package env

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/do"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/fetch"
)

// Service is code JS reaches through a binding: another Worker (a service
// binding), one of its named entrypoints, or one Durable Object. core
// implements it; the glue here never knows which runtime runs the callee.
type Service interface {
	// RoundTrip delivers a fetch event (stub.fetch, env.SVC.fetch).
	http.RoundTripper
	// Call invokes an RPC method. args is the structured clone (the byte form
	// of core/webapi/clone) of the argument array; the result is the clone of
	// the value the method's promise settled with. An exception the callee
	// threw comes back as a *RemoteError.
	Call(ctx context.Context, method string, args []byte) ([]byte, error)
}

// RemoteError is an exception thrown by the callee of an RPC call: Value is
// its structured clone (so name, message, stack and cause survive), or nil
// when it could not be cloned, and Message describes it.
type RemoteError struct {
	Value   []byte
	Name    string
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// DurableObjectNamespace is one durable_objects binding.
type DurableObjectNamespace struct {
	// Namespace keys the class's ids and storage ("<worker>-<Class>").
	Namespace string
	// Class is the exported class name.
	Class string
	// Objects routes to the objects; nil for a class of the Worker itself
	// (core fills it in).
	Objects ObjectRouter
}

// ObjectRouter reaches the objects of the classes a Worker hosts.
type ObjectRouter interface {
	// Object returns the object id (64 hex digits) of class; name is the
	// name the id came from, or "".
	Object(class, id, name string) Service
}

// ObjectState is what core gives NewObjectState to build one object's ctx.
type ObjectState struct {
	Namespace string
	ID, Name  string
	Storage   do.Storage
	// WaitUntil implements ctx.waitUntil.
	WaitUntil func(goja.Value)
	// Block implements ctx.blockConcurrencyWhile (reset: a failure resets
	// the object) and storage.transaction: no event reaches the object until
	// the promise fn returns settles. It returns a promise for fn's result.
	Block func(fn goja.Value, reset bool) goja.Value
	// AlarmChanged tells the host that setAlarm (ok) or deleteAlarm (!ok)
	// ran; an error (no alarm() handler) fails setAlarm before it writes.
	AlarmChanged func(at int64, ok bool) error
}

// durablePrelude defines the Durable Object classes once per runtime; the
// per-object and per-binding state lives in Go natives passed to the
// factories. The API is thin JS over synchronous Go calls: storage runs on the
// object's loop (see NewObjectState).
const durablePrelude = `(function () {
"use strict";
const toKey = (k) => { if (typeof k === "symbol") throw new TypeError("Keys must be strings"); return String(k); };
class DurableObjectId {
  #hex; #name;
  constructor(hex, name) { this.#hex = hex; this.#name = name; }
  toString() { return this.#hex; }
  equals(other) { return other instanceof DurableObjectId && other.toString() === this.#hex; }
  get name() { return this.#name; }
}
class DurableObjectNamespace {
  #n;
  constructor(n) { this.#n = n; }
  idFromName(name) {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'idFromName' on 'DurableObjectNamespace': parameter 1 is not of type 'string'.");
    name = String(name);
    return new DurableObjectId(this.#n.nameID(name), name);
  }
  idFromString(id) { return new DurableObjectId(this.#n.parseID(String(id)), undefined); }
  newUniqueId(options) { return new DurableObjectId(this.#n.uniqueID(), undefined); }
  get(id, options) {
    if (!(id instanceof DurableObjectId)) throw new TypeError("Failed to execute 'get' on 'DurableObjectNamespace': parameter 1 is not of type 'DurableObjectId'.");
    return this.#n.stub(this.#n.parseID(id.toString()), id.name, id);
  }
  getByName(name, options) { return this.get(this.idFromName(name), options); }
  jurisdiction(name) { return this; }
}
class SqlStorageCursor {
  #cols; #rows; #i = 0; #read; #written;
  constructor(cols, rows, read, written) { this.#cols = cols; this.#rows = rows; this.#read = read; this.#written = written; }
  #object(row) { const o = {}; for (let i = 0; i < this.#cols.length; i++) o[this.#cols[i]] = row[i]; return o; }
  next() {
    if (this.#i < this.#rows.length) return { done: false, value: this.#object(this.#rows[this.#i++]) };
    return { done: true, value: undefined };
  }
  toArray() { const out = []; while (this.#i < this.#rows.length) out.push(this.#object(this.#rows[this.#i++])); return out; }
  one() {
    const left = this.#rows.length - this.#i;
    if (left === 0) throw new Error("Expected exactly one result from SQL query, but got no results.");
    if (left > 1) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
    return this.#object(this.#rows[this.#i++]);
  }
  raw() {
    const self = this, rows = this.#rows;
    const it = {
      next: () => self.#i < rows.length ? { done: false, value: rows[self.#i++].slice() } : { done: true, value: undefined },
      toArray: () => { const out = []; while (self.#i < rows.length) out.push(rows[self.#i++].slice()); return out; },
      [Symbol.iterator]() { return it; },
    };
    return it;
  }
  get columnNames() { return this.#cols.slice(); }
  get rowsRead() { return this.#read; }
  get rowsWritten() { return this.#written; }
  [Symbol.iterator]() { return this; }
}
class SqlStorage {
  #n;
  constructor(n) { this.#n = n; }
  exec(query, ...bindings) {
    const [cols, rows, read, written] = this.#n.exec(String(query), bindings);
    return new SqlStorageCursor(cols, rows, read, written);
  }
  get databaseSize() { return this.#n.size(); }
}
class DurableObjectTransaction {
  #s; #rollback;
  constructor(s, rollback) { this.#s = s; this.#rollback = rollback; }
  get(keys, options) { return this.#s.get(keys, options); }
  put(key, value, options) { return this.#s.put(key, value, options); }
  delete(keys, options) { return this.#s.delete(keys, options); }
  list(options) { return this.#s.list(options); }
  getAlarm(options) { return this.#s.getAlarm(options); }
  setAlarm(time, options) { return this.#s.setAlarm(time, options); }
  deleteAlarm(options) { return this.#s.deleteAlarm(options); }
  rollback() { this.#rollback(); }
}
class DurableObjectStorage {
  #n; #sql;
  constructor(n) { this.#n = n; }
  async get(keys, options) {
    if (Array.isArray(keys)) {
      const ks = keys.map(toKey), vals = this.#n.get(ks), m = new Map();
      for (let i = 0; i < ks.length; i++) if (vals[i] !== undefined) m.set(ks[i], vals[i]);
      return m;
    }
    return this.#n.get([toKey(keys)])[0];
  }
  async put(key, value, options) {
    if (typeof key === "object" && key !== null) {
      const ks = Object.keys(key);
      for (const k of ks) if (key[k] === undefined) throw new TypeError("put() called with undefined value.");
      this.#n.put(ks, ks.map((k) => key[k]));
      return;
    }
    if (value === undefined) throw new TypeError("put() called with undefined value.");
    this.#n.put([toKey(key)], [value]);
  }
  async delete(keys, options) {
    if (Array.isArray(keys)) return this.#n.del(keys.map(toKey));
    return this.#n.del([toKey(keys)]) === 1;
  }
  async list(options) {
    const o = options ?? {};
    const opt = (v) => v === undefined || v === null ? "" : toKey(v);
    let limit = 0;
    if (o.limit !== undefined && o.limit !== null) {
      limit = Number(o.limit);
      if (!(limit > 0) || !Number.isFinite(limit)) throw new RangeError("List limit must be positive.");
      limit = Math.floor(limit);
    }
    const [ks, vs] = this.#n.list(opt(o.start), opt(o.startAfter), opt(o.end), opt(o.prefix), !!o.reverse, limit);
    const m = new Map();
    for (let i = 0; i < ks.length; i++) m.set(ks[i], vs[i]);
    return m;
  }
  async deleteAll(options) { this.#n.deleteAll(); }
  transaction(closure) {
    const n = this.#n;
    return n.block(async () => {
      n.begin();
      let open = true;
      const end = (commit) => { if (open) { open = false; commit ? n.commit() : n.rollback(); } };
      const txn = new DurableObjectTransaction(this, () => end(false));
      try {
        const result = await closure(txn);
        end(true);
        return result;
      } catch (e) {
        end(false);
        throw e;
      }
    }, false);
  }
  transactionSync(closure) {
    const n = this.#n;
    n.begin();
    let result;
    try {
      result = closure();
    } catch (e) {
      n.rollback();
      throw e;
    }
    n.commit();
    return result;
  }
  async getAlarm(options) { return this.#n.getAlarm(); }
  async setAlarm(scheduledTime, options) {
    const ms = scheduledTime instanceof Date ? scheduledTime.getTime() : typeof scheduledTime === "number" ? scheduledTime : NaN;
    if (!Number.isFinite(ms)) throw new TypeError("setAlarm() requires a Date or a number of milliseconds since the epoch.");
    this.#n.setAlarm(ms);
  }
  async deleteAlarm(options) { this.#n.deleteAlarm(); }
  async sync() {}
  get sql() { return this.#sql ??= new SqlStorage(this.#n); }
}
class DurableObjectState {
  #n; #id; #storage;
  constructor(n, id) { this.#n = n; this.#id = id; this.#storage = new DurableObjectStorage(n); }
  get id() { return this.#id; }
  get storage() { return this.#storage; }
  get props() { return {}; }
  waitUntil(p) { this.#n.waitUntil(p); }
  blockConcurrencyWhile(fn) {
    if (typeof fn !== "function") throw new TypeError("Failed to execute 'blockConcurrencyWhile' on 'DurableObjectState': parameter 1 is not of type 'Function'.");
    return this.#n.block(fn, true);
  }
}
return {
  namespace: (n) => new DurableObjectNamespace(n),
  state: (n, hex, name) => new DurableObjectState(n, new DurableObjectId(hex, name)),
  id: (hex, name) => new DurableObjectId(hex, name),
};
})()`

// durableProgram is compiled on first use, not at package init: every ferry
// start (the Lambda bootstrap's included) would pay for it otherwise.
var durableProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("ferry:durable-objects", durablePrelude, true)
})

// durableGlue holds the factories of one runtime.
type durableGlue struct {
	l                      *loop.Loop
	vm                     *goja.Runtime
	namespace, state, idOf goja.Callable
}

// durableGlueFor finds a runtime's glue (built once per runtime).
func durableGlueFor(l *loop.Loop) *durableGlue {
	vm := l.VM()
	if v := vm.Get(durableGlueKey); v != nil {
		if g, ok := v.Export().(*durableGlue); ok {
			return g
		}
	}
	v, err := vm.RunProgram(durableProgram())
	if err != nil {
		panic(err)
	}
	f := v.ToObject(vm)
	g := &durableGlue{l: l, vm: vm}
	g.namespace, _ = goja.AssertFunction(f.Get("namespace"))
	g.state, _ = goja.AssertFunction(f.Get("state"))
	g.idOf, _ = goja.AssertFunction(f.Get("id"))
	_ = vm.GlobalObject().DefineDataProperty(durableGlueKey, vm.ToValue(g), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return g
}

const durableGlueKey = "__ferry_durable"

// wrapNamespace builds env.BINDING for a durable_objects binding.
func (g *durableGlue) wrapNamespace(ns *DurableObjectNamespace) (*goja.Object, error) {
	vm := g.vm
	if ns.Objects == nil {
		return nil, fmt.Errorf("durable_objects binding for class %s has no host", ns.Class)
	}
	n := vm.NewObject()
	_ = n.Set("nameID", func(name string) string { return do.NameID(ns.Namespace, name) })
	_ = n.Set("uniqueID", func() string { return do.UniqueID(ns.Namespace) })
	_ = n.Set("parseID", func(s string) string {
		id, err := do.ParseID(ns.Namespace, s)
		if err != nil {
			panic(g.doError(err))
		}
		return id
	})
	_ = n.Set("stub", func(call goja.FunctionCall) goja.Value {
		id := call.Argument(0).String()
		name := ""
		if v := call.Argument(1); !js.IsNullish(v) {
			name = v.String()
		}
		return newStub(g.l, ns.Objects.Object(ns.Class, id, name), call.Argument(2), call.Argument(1))
	})
	v, err := g.namespace(goja.Undefined(), n)
	if err != nil {
		return nil, err
	}
	return v.ToObject(vm), nil
}

// doError turns a storage error into the JS error workerd throws.
func (g *durableGlue) doError(err error) goja.Value {
	vm := g.vm
	var de *do.Error
	if errors.As(err, &de) {
		switch de.Kind {
		case "TypeError":
			return vm.NewTypeError(de.Message)
		case "RangeError":
			ctor, _ := vm.Get("RangeError").(*goja.Object)
			o, _ := vm.New(ctor, vm.ToValue(de.Message))
			return o
		}
		return newError(vm, de.Message)
	}
	return newError(vm, err.Error())
}

func newError(vm *goja.Runtime, msg string) goja.Value {
	ctor, _ := vm.Get("Error").(*goja.Object)
	o, _ := vm.New(ctor, vm.ToValue(msg))
	return o
}

// NewObjectState builds a Durable Object's ctx (DurableObjectState) on l's
// runtime. Call it on the loop goroutine.
//
// Storage calls run synchronously on the object's loop, and their promises
// are already settled when returned. That is what gives Cloudflare's
// guarantees without a separate gate: an input gate (no other event reaches
// the object while a storage operation is in flight — nothing else runs on
// the loop until it returns, and the code after `await storage.get()` runs
// in the same task, before any other event) and an output gate (a write is
// durable in SQLite before the call returns, so no response or RPC result
// can leave ahead of the writes before it). The embedded store answers a
// point read or write in microseconds, about what Cloudflare's in-memory
// storage cache costs; a remote store would need a cache in front.
func NewObjectState(l *loop.Loop, st ObjectState) (*goja.Object, error) {
	g := durableGlueFor(l)
	vm := g.vm
	s := st.Storage
	ctx := context.Background()
	throw := func(err error) { panic(g.doError(err)) }
	n := vm.NewObject()
	_ = n.Set("get", func(keys []string) goja.Value {
		vals, err := s.Get(ctx, keys)
		if err != nil {
			throw(err)
		}
		out := make([]any, len(vals))
		for i, b := range vals {
			if b == nil {
				out[i] = goja.Undefined()
				continue
			}
			v, err := clone.Deserialize(vm, b)
			if err != nil {
				throw(fmt.Errorf("reading key %q: %w", keys[i], err))
			}
			out[i] = v
		}
		return vm.NewArray(out...)
	})
	_ = n.Set("put", func(keys []string, values []goja.Value) {
		entries := make([]do.Entry, len(keys))
		for i, k := range keys {
			b, err := clone.Serialize(vm, values[i])
			if err != nil {
				panic(errorValue(err))
			}
			entries[i] = do.Entry{Key: k, Value: b}
		}
		if err := s.Put(ctx, entries); err != nil {
			throw(err)
		}
	})
	_ = n.Set("del", func(keys []string) int {
		n, err := s.Delete(ctx, keys)
		if err != nil {
			throw(err)
		}
		return n
	})
	_ = n.Set("list", func(start, startAfter, end, prefix string, reverse bool, limit int) goja.Value {
		entries, err := s.List(ctx, do.ListOptions{Start: start, StartAfter: startAfter, End: end, Prefix: prefix, Reverse: reverse, Limit: limit})
		if err != nil {
			throw(err)
		}
		ks := make([]any, len(entries))
		vs := make([]any, len(entries))
		for i, e := range entries {
			v, err := clone.Deserialize(vm, e.Value)
			if err != nil {
				throw(fmt.Errorf("reading key %q: %w", e.Key, err))
			}
			ks[i], vs[i] = e.Key, v
		}
		return vm.NewArray(vm.NewArray(ks...), vm.NewArray(vs...))
	})
	_ = n.Set("deleteAll", func() {
		if err := s.DeleteAll(ctx); err != nil {
			throw(err)
		}
	})
	_ = n.Set("begin", func() {
		if err := s.Begin(ctx); err != nil {
			throw(err)
		}
	})
	_ = n.Set("commit", func() {
		if err := s.Commit(ctx); err != nil {
			throw(err)
		}
	})
	_ = n.Set("rollback", func() {
		if err := s.Rollback(ctx); err != nil {
			throw(err)
		}
	})
	_ = n.Set("exec", func(query string, bindings []goja.Value) goja.Value {
		params := make([]any, len(bindings))
		for i, b := range bindings {
			params[i] = sqlParam(vm, b)
		}
		res, err := s.Exec(ctx, query, params)
		if err != nil {
			throw(err)
		}
		cols := make([]any, len(res.Columns))
		for i, c := range res.Columns {
			cols[i] = c
		}
		rows := make([]any, len(res.Rows))
		for i, r := range res.Rows {
			cells := make([]any, len(r))
			for j, c := range r {
				switch c := c.(type) {
				case nil:
					cells[j] = goja.Null()
				case []byte:
					cells[j] = vm.NewArrayBuffer(c)
				default:
					cells[j] = c
				}
			}
			rows[i] = vm.NewArray(cells...)
		}
		return vm.NewArray(vm.NewArray(cols...), vm.NewArray(rows...), res.RowsRead, res.RowsWritten)
	})
	_ = n.Set("size", func() int64 {
		size, err := s.DatabaseSize(ctx)
		if err != nil {
			throw(err)
		}
		return size
	})
	_ = n.Set("getAlarm", func() goja.Value {
		at, ok, err := s.Alarm(ctx)
		if err != nil {
			throw(err)
		}
		if !ok {
			return goja.Null()
		}
		return vm.ToValue(at.UnixMilli())
	})
	_ = n.Set("setAlarm", func(ms int64) {
		if st.AlarmChanged != nil {
			if err := st.AlarmChanged(ms, true); err != nil {
				throw(err)
			}
		}
		if err := s.SetAlarm(ctx, timeMillis(ms)); err != nil {
			throw(err)
		}
	})
	_ = n.Set("deleteAlarm", func() {
		if err := s.DeleteAlarm(ctx); err != nil {
			throw(err)
		}
		if st.AlarmChanged != nil {
			_ = st.AlarmChanged(0, false)
		}
	})
	_ = n.Set("waitUntil", func(p goja.Value) {
		if st.WaitUntil != nil {
			st.WaitUntil(p)
		}
	})
	_ = n.Set("block", func(fn goja.Value, reset bool) goja.Value { return st.Block(fn, reset) })
	var name goja.Value = goja.Undefined()
	if st.Name != "" {
		name = vm.ToValue(st.Name)
	}
	v, err := g.state(goja.Undefined(), n, vm.ToValue(st.ID), name)
	if err != nil {
		return nil, err
	}
	return v.ToObject(vm), nil
}

// sqlParam converts a binding of sql.exec: numbers that are integers bind as
// INTEGER, others as REAL; strings as TEXT; ArrayBuffers and views as BLOB;
// null and undefined as NULL; booleans as 1 or 0.
func sqlParam(vm *goja.Runtime, v goja.Value) any {
	if js.IsNullish(v) {
		return nil
	}
	switch x := v.Export().(type) {
	case int64:
		return x
	case float64:
		if x == float64(int64(x)) && x >= -(1<<53) && x <= 1<<53 {
			return int64(x)
		}
		return x
	case string:
		return x
	case bool:
		return x
	case goja.ArrayBuffer:
		return append([]byte{}, x.Bytes()...)
	}
	if b, ok := js.Bytes(vm, v); ok {
		return append([]byte{}, b...)
	}
	panic(vm.NewTypeError("Unsupported type for SQL binding: " + v.String()))
}

// stub is env.NS.get(id) and env.SERVICE: fetch() sends a fetch event, any
// other property is an RPC method (stub.increment(5)), as workerd's
// JsRpcStub / Fetcher. `then` is absent so a stub is not a thenable.
type stub struct {
	l       *loop.Loop
	svc     Service
	id      goja.Value // DurableObjectId, or nil for a service
	name    goja.Value
	methods map[string]goja.Value
}

// newStub wraps svc; id and name are the object's (undefined for services).
func newStub(l *loop.Loop, svc Service, id, name goja.Value) *goja.Object {
	s := &stub{l: l, svc: svc, id: id, name: name, methods: map[string]goja.Value{}}
	return l.VM().NewDynamicObject(s)
}

// NewServiceStub builds env.SERVICE for a service binding.
func NewServiceStub(l *loop.Loop, svc Service) *goja.Object { return newStub(l, svc, nil, nil) }

func (s *stub) Get(key string) goja.Value {
	if m, ok := s.methods[key]; ok {
		return m
	}
	vm := s.l.VM()
	var v goja.Value
	switch key {
	case "then", "constructor", "toJSON", "valueOf", "toString":
		// Not methods of the remote object: a stub must not look like a
		// thenable, and printing it must not make calls.
		if key == "toString" {
			return vm.ToValue(func() string { return "[object DurableObjectStub]" })
		}
		return goja.Undefined()
	case "id":
		if s.id != nil {
			return s.id
		}
		return goja.Undefined()
	case "name":
		if s.name != nil {
			return s.name
		}
		return goja.Undefined()
	case "fetch":
		v = js.NamedFunc(vm, "fetch", 1, s.fetch)
	default:
		method := key
		v = js.NamedFunc(vm, key, 0, func(call goja.FunctionCall) goja.Value { return s.call(method, call.Arguments) })
	}
	s.methods[key] = v
	return v
}

func (s *stub) Set(string, goja.Value) bool { return false }
func (s *stub) Has(key string) bool         { return key != "then" }
func (s *stub) Delete(string) bool          { return false }
func (s *stub) Keys() []string              { return nil }

// fetch implements stub.fetch(input, init): the Request is built as fetch()
// builds it and delivered to the callee as a fetch event.
func (s *stub) fetch(call goja.FunctionCall) goja.Value {
	vm := s.l.VM()
	f := fetch.Of(vm)
	var req *fetch.Request
	if ex := vm.Try(func() { req = f.NewRequest(call.Argument(0), call.Argument(1)) }); ex != nil {
		return rejectedPromise(vm, ex.Value())
	}
	if f.BodyUsed(req.Body()) {
		return rejectedPromise(vm, vm.NewTypeError("Cannot reconstruct a Request with a used body."))
	}
	var body io.Reader = http.NoBody
	if data, ok := req.Body().Bytes(); ok {
		if data != nil {
			body = bytes.NewReader(data)
		}
	} else if r := req.Body().Reader(); r != nil {
		body = r
	}
	hreq, err := http.NewRequest(req.Method, req.URL, body)
	if err != nil {
		return rejectedPromise(vm, vm.NewTypeError("Fetch API cannot load: "+err.Error()))
	}
	hreq.Header = req.Headers().HTTP()
	return runIO(s.l, backgroundCtx, func(ctx context.Context) (any, error) {
		return s.svc.RoundTrip(hreq.WithContext(ctx))
	}, func(err error) goja.Value {
		return newError(vm, err.Error())
	}, func(res any) goja.Value {
		r := res.(*http.Response)
		text := strings.TrimSpace(strings.TrimPrefix(r.Status, fmt.Sprint(r.StatusCode)))
		var b io.ReadCloser
		if r.Body != nil && r.Body != http.NoBody {
			b = r.Body
		}
		return f.NewResponse(r.StatusCode, text, r.Header, b, false)
	})
}

// call implements an RPC method call: the arguments are structured-cloned
// here, the result and a thrown exception on the way back.
func (s *stub) call(method string, args []goja.Value) goja.Value {
	vm := s.l.VM()
	list := make([]any, len(args))
	for i, a := range args {
		list[i] = a
	}
	b, err := clone.Serialize(vm, vm.NewArray(list...))
	if err != nil {
		return rejectedPromise(vm, errorValue(err))
	}
	return runIO(s.l, backgroundCtx, func(ctx context.Context) (any, error) {
		return s.svc.Call(ctx, method, b)
	}, func(err error) goja.Value {
		return RemoteErrorValue(vm, err)
	}, func(res any) goja.Value {
		v, err := clone.Deserialize(vm, res.([]byte))
		if err != nil {
			panic(newError(vm, "reading the RPC result of "+method+": "+err.Error()))
		}
		return v
	})
}

// RemoteErrorValue is the JS value an RPC caller sees for err: the callee's
// exception, cloned, when err is a *RemoteError.
func RemoteErrorValue(vm *goja.Runtime, err error) goja.Value {
	var re *RemoteError
	if errors.As(err, &re) {
		if re.Value != nil {
			if v, derr := clone.Deserialize(vm, re.Value); derr == nil {
				return v
			}
		}
		if ctor, ok := vm.Get(re.Name).(*goja.Object); ok && re.Name != "" && strings.HasSuffix(re.Name, "Error") {
			if e, err := vm.New(ctor, vm.ToValue(re.Message)); err == nil {
				return e
			}
		}
		e := newError(vm, re.Message)
		if re.Name != "" {
			_ = e.(*goja.Object).Set("name", re.Name)
		}
		return e
	}
	return newError(vm, err.Error())
}

func timeMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// rpcNames adds the Durable Object and service binding names to Names.
func (s *Spec) rpcNames(out []string, seen map[string]bool) []string {
	for k := range s.DurableObjects {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := range s.Services {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// rpcBinding builds env[k] when k is a Durable Object or service binding.
func (s *Spec) rpcBinding(l *loop.Loop, k string) (goja.Value, bool, error) {
	if ns, ok := s.DurableObjects[k]; ok {
		v, err := durableGlueFor(l).wrapNamespace(ns)
		return v, true, err
	}
	if svc, ok := s.Services[k]; ok {
		return NewServiceStub(l, svc), true, nil
	}
	return nil, false, nil
}
