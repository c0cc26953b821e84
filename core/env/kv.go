package env

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/kv"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// kvGlue is the KvNamespace class on one runtime: Cloudflare's JS API over a
// kv.Namespace. Arguments are converted and bytes copied on the loop
// goroutine; the store is called on its own goroutine; promises settle back on
// the loop through a reserved callback, so JS values never leave the loop.
type kvGlue struct {
	vm    *goja.Runtime
	loop  *loop.Loop
	class *js.Class

	errorCtor, mapCtor, responseCtor *goja.Object
	mapSet, jsonStringify            goja.Callable
}

// kvNamespace is the Go value behind an env.KV object.
type kvNamespace struct {
	js.Expando
	ns kv.Namespace
}

const kvPutTypes = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."
const kvGetTypes = `Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".`

func newKVGlue(l *loop.Loop) *kvGlue {
	vm := l.VM()
	g := &kvGlue{vm: vm, loop: l}
	g.errorCtor = vm.Get("Error").ToObject(vm)
	g.mapCtor = vm.Get("Map").ToObject(vm)
	g.mapSet, _ = goja.AssertFunction(g.mapCtor.Get("prototype").ToObject(vm).Get("set"))
	jsonObj := vm.Get("JSON").ToObject(vm)
	g.jsonStringify, _ = goja.AssertFunction(jsonObj.Get("stringify"))
	// Streams come from the fetch family: get(key, "stream") is the body of a
	// Response over the value, and put() reads a stream through a Response.
	// Response is captured before user code can replace the global; streams
	// are recognised by brand (streams.Of), which leaves the streams script
	// unrun until something needs it.
	if v := vm.Get("Response"); v != nil && !goja.IsUndefined(v) {
		g.responseCtor = v.ToObject(vm)
	}

	c := js.NewClass(vm, "KvNamespace", 0, nil)
	g.class = c
	js.Operation(vm, c.Proto, "get", 2, func(call goja.FunctionCall) goja.Value { return g.get(call, false) })
	js.Operation(vm, c.Proto, "getWithMetadata", 2, func(call goja.FunctionCall) goja.Value { return g.get(call, true) })
	js.Operation(vm, c.Proto, "put", 3, g.put)
	js.Operation(vm, c.Proto, "delete", 1, g.delete)
	js.Operation(vm, c.Proto, "list", 1, g.list)
	return g
}

func (g *kvGlue) wrap(ns kv.Namespace) *goja.Object {
	return g.class.Wrap(&kvNamespace{ns: ns})
}

// async runs work off the loop and settles the returned promise on the loop
// with settle's result (a thrown JS value rejects it). Validation errors found
// on the loop reject without leaving it.
func (g *kvGlue) async(op string, work func(ctx context.Context) (any, error), settle func(any) goja.Value) goja.Value {
	return runIO(g.loop, backgroundCtx, work, func(err error) goja.Value { return g.jsError(op, err) }, settle)
}

func (g *kvGlue) rejected(v goja.Value) goja.Value { return rejectedPromise(g.vm, v) }

// jsError turns a store error into what Workers code catches: a TypeError or
// an Error with Cloudflare's message; anything else is an internal error.
func (g *kvGlue) jsError(op string, err error) goja.Value {
	var ke *kv.Error
	if errors.As(err, &ke) {
		if ke.TypeError {
			return g.vm.NewTypeError(ke.Message)
		}
		return g.newError(ke.Error())
	}
	return g.newError("KV " + op + " failed: 500 " + err.Error())
}

func (g *kvGlue) newError(msg string) goja.Value {
	obj, err := g.vm.New(g.errorCtor, g.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}

func (g *kvGlue) this(call goja.FunctionCall) kv.Namespace {
	return js.This[*kvNamespace](g.vm, call).ns
}

// getOptions reads get's second argument: a type string or {type, cacheTtl}.
func (g *kvGlue) getOptions(op string, v goja.Value) (typ string, err error) {
	typ = "text"
	if js.IsNullish(v) {
		return typ, nil
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		return v.String(), nil
	}
	if t := obj.Get("type"); !js.IsNullish(t) {
		typ = t.String()
	}
	if ttl := obj.Get("cacheTtl"); !js.IsNullish(ttl) {
		if err := kv.CheckCacheTTL(op, ttl.ToInteger()); err != nil {
			return "", err
		}
	}
	return typ, nil
}

// keyList returns the keys of a bulk get, or ok false when v is not an array.
func keyList(v goja.Value) (keys []string, ok bool) {
	obj, isObj := v.(*goja.Object)
	if !isObj || obj.ClassName() != "Array" {
		return nil, false
	}
	n := obj.Get("length").ToInteger()
	keys = make([]string, 0, n)
	for i := int64(0); i < n; i++ {
		keys = append(keys, obj.Get(strconv.FormatInt(i, 10)).String())
	}
	return keys, true
}

// get implements get and getWithMetadata, single and bulk.
func (g *kvGlue) get(call goja.FunctionCall, withMetadata bool) goja.Value {
	ns := g.this(call)
	if keys, bulk := keyList(js.Arg(call, 0)); bulk {
		return g.getBulk(ns, keys, js.Arg(call, 1), withMetadata)
	}
	key := js.Arg(call, 0).String()
	typ, err := g.getOptions(kv.OpGet, js.Arg(call, 1))
	if err == nil {
		err = kv.CheckKey(kv.OpGet, key)
	}
	if err != nil {
		return g.rejected(g.jsError(kv.OpGet, err))
	}
	type result struct {
		e     kv.Entry
		found bool
	}
	return g.async(kv.OpGet, func(ctx context.Context) (any, error) {
		e, found, err := ns.Get(ctx, key)
		return result{e, found}, err
	}, func(r any) goja.Value {
		res := r.(result)
		value := goja.Null()
		if res.found {
			value = g.convert(typ, res.e.Value)
		}
		if !withMetadata {
			return value
		}
		out := g.vm.NewObject()
		_ = out.Set("value", value)
		_ = out.Set("metadata", g.metadata(res.e.Metadata))
		_ = out.Set("cacheStatus", goja.Null())
		return out
	})
}

// convert turns a value's bytes into the JS value get's type asks for.
func (g *kvGlue) convert(typ string, b []byte) goja.Value {
	vm := g.vm
	switch typ {
	case "text":
		return vm.ToValue(js.DecodeUTF8(b))
	case "json":
		return js.ParseJSON(vm, b)
	case "arrayBuffer":
		return vm.ToValue(vm.NewArrayBuffer(b))
	case "stream":
		if g.responseCtor == nil {
			panic(vm.NewTypeError(`get(key, "stream") needs the fetch API's Response`))
		}
		res, err := vm.New(g.responseCtor, js.NewUint8Array(vm, b))
		if err != nil {
			panic(err)
		}
		return res.Get("body")
	default:
		panic(vm.NewTypeError(kvGetTypes))
	}
}

func (g *kvGlue) metadata(m []byte) goja.Value {
	if m == nil {
		return goja.Null()
	}
	return js.ParseJSON(g.vm, m)
}

func (g *kvGlue) getBulk(ns kv.Namespace, keys []string, opts goja.Value, withMetadata bool) goja.Value {
	typ, err := g.getOptions(kv.OpGetBulk, opts)
	if err == nil && typ != "text" && typ != "json" {
		msg := strconv.Quote(typ) + ` is not a valid type. Use "json" or "text"`
		err = &kv.Error{Op: kv.OpGetBulk, Status: 400, Message: msg}
	}
	if err != nil {
		return g.rejected(g.jsError(kv.OpGetBulk, err))
	}
	return g.async(kv.OpGetBulk, func(ctx context.Context) (any, error) {
		return ns.GetMany(ctx, keys)
	}, func(r any) goja.Value {
		vm := g.vm
		entries := r.([]*kv.Entry)
		m, err := vm.New(g.mapCtor)
		if err != nil {
			panic(err)
		}
		for i, e := range entries {
			v := goja.Null()
			if e != nil {
				if ex := vm.Try(func() { v = g.convert(typ, e.Value) }); ex != nil {
					panic(g.newError("KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-" + typ + " value"))
				}
				if withMetadata {
					o := vm.NewObject()
					_ = o.Set("value", v)
					_ = o.Set("metadata", g.metadata(e.Metadata))
					v = o
				}
			}
			if _, err := g.mapSet(m, vm.ToValue(keys[i]), v); err != nil {
				panic(err)
			}
		}
		return m
	})
}

// put implements put(key, value, {expiration, expirationTtl, metadata}).
func (g *kvGlue) put(call goja.FunctionCall) goja.Value {
	vm := g.vm
	ns := g.this(call)
	key := js.Arg(call, 0).String()
	if err := kv.CheckKey(kv.OpPut, key); err != nil {
		return g.rejected(g.jsError(kv.OpPut, err))
	}
	var opts kv.PutOptions
	if o, ok := js.Arg(call, 2).(*goja.Object); ok {
		if v := o.Get("expiration"); !js.IsNullish(v) {
			opts.Expiration = time.Unix(v.ToInteger(), 0)
		}
		if v := o.Get("expirationTtl"); !js.IsNullish(v) {
			ttl := v.ToInteger()
			if err := kv.CheckExpirationTTL(ttl); err != nil {
				return g.rejected(g.jsError(kv.OpPut, err))
			}
			opts.ExpirationTTL = time.Duration(ttl) * time.Second
		}
		if v := o.Get("metadata"); !js.IsNullish(v) {
			s, err := g.jsonStringify(goja.Undefined(), v)
			if err != nil {
				return g.rejected(errorValue(err))
			}
			if !goja.IsUndefined(s) {
				opts.Metadata = []byte(s.String())
			}
		}
	}
	write := func(value []byte) goja.Value {
		return g.async(kv.OpPut, func(ctx context.Context) (any, error) {
			return nil, ns.Put(ctx, key, value, opts)
		}, func(any) goja.Value { return goja.Undefined() })
	}

	value := js.Arg(call, 1)
	obj, isObj := value.(*goja.Object)
	if !isObj {
		return write([]byte(value.String()))
	}
	if b, ok := js.Bytes(vm, value); ok {
		return write(append([]byte(nil), b...))
	}
	if st := streams.Of(vm); st != nil && g.responseCtor != nil && st.IsReadableStream(obj) {
		return g.putStream(obj, write)
	}
	return g.rejected(vm.NewTypeError(kvPutTypes))
}

// putStream reads a ReadableStream to its end (through a Response, which
// accepts every stream the runtime has) and then writes it.
func (g *kvGlue) putStream(stream *goja.Object, write func([]byte) goja.Value) goja.Value {
	vm := g.vm
	var read goja.Value
	ex := vm.Try(func() {
		res, err := vm.New(g.responseCtor, stream)
		if err != nil {
			panic(err)
		}
		ab, _ := goja.AssertFunction(res.Get("arrayBuffer"))
		read, err = ab(res)
		if err != nil {
			panic(err)
		}
	})
	if ex != nil {
		return g.rejected(ex.Value())
	}
	then, _ := goja.AssertFunction(read.ToObject(vm).Get("then"))
	p, err := then(read, vm.ToValue(func(call goja.FunctionCall) goja.Value {
		b, _ := js.Bytes(vm, call.Argument(0))
		return write(b) // the ArrayBuffer is ours alone: no copy
	}))
	if err != nil {
		return g.rejected(errorValue(err))
	}
	return p
}

func errorValue(err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	panic(err)
}

func (g *kvGlue) delete(call goja.FunctionCall) goja.Value {
	ns := g.this(call)
	key := js.Arg(call, 0).String()
	if err := kv.CheckKey(kv.OpDelete, key); err != nil {
		return g.rejected(g.jsError(kv.OpDelete, err))
	}
	return g.async(kv.OpDelete, func(ctx context.Context) (any, error) {
		return nil, ns.Delete(ctx, key)
	}, func(any) goja.Value { return goja.Undefined() })
}

// list implements list({prefix, limit, cursor}). As in workerd, a limit of 0
// or less means the default.
func (g *kvGlue) list(call goja.FunctionCall) goja.Value {
	vm := g.vm
	ns := g.this(call)
	var opts kv.ListOptions
	if o, ok := js.Arg(call, 0).(*goja.Object); ok {
		if v := o.Get("prefix"); !js.IsNullish(v) {
			opts.Prefix = v.String()
		}
		if v := o.Get("cursor"); !js.IsNullish(v) {
			opts.Cursor = v.String()
		}
		if v := o.Get("limit"); !js.IsNullish(v) {
			if n := v.ToInteger(); n > 0 {
				opts.Limit = int(min(n, math.MaxInt32))
			}
		}
	}
	return g.async(kv.OpList, func(ctx context.Context) (any, error) {
		return ns.List(ctx, opts)
	}, func(r any) goja.Value {
		res := r.(kv.ListResult)
		keys := make([]any, len(res.Keys))
		for i, k := range res.Keys {
			o := vm.NewObject()
			_ = o.Set("name", k.Name)
			if !k.Expiration.IsZero() {
				_ = o.Set("expiration", k.Expiration.Unix())
			}
			if k.Metadata != nil {
				_ = o.Set("metadata", g.metadata(k.Metadata))
			}
			keys[i] = o
		}
		out := vm.NewObject()
		_ = out.Set("keys", vm.NewArray(keys...))
		_ = out.Set("list_complete", res.ListComplete)
		if !res.ListComplete {
			_ = out.Set("cursor", res.Cursor)
		}
		_ = out.Set("cacheStatus", goja.Null())
		return out
	})
}
