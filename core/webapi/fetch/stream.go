package fetch

import (
	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// bodyStream is the ReadableStream a Request's or Response's `body` getter
// returns. It is deliberately small until the streams family lands
// (core/webapi/streams): it can be handed to `new Response(...)` / `new
// Request(...)` without copying (the common `new Response(res.body, res)`
// idiom), read with getReader() or async iteration (the whole body arrives as
// one chunk), and cancelled. Scripts cannot construct one yet, and pipeTo,
// pipeThrough and tee are missing; each says so when called.
type bodyStream struct {
	js.Expando
	body   *Body
	locked bool
}

// take detaches the stream's source for a new body, leaving the old one used.
func (s *bodyStream) take(vm *goja.Runtime) Body {
	if s.locked || s.body.used {
		panic(vm.NewTypeError("This ReadableStream is disturbed or locked and cannot be used as a body."))
	}
	s.locked = true
	s.body.used = true
	return Body{src: s.body.src}
}

func (a *api) installStream() {
	vm := a.vm
	c := js.NewClass(vm, "ReadableStream", 0, func(goja.ConstructorCall) goja.DynamicObject {
		panic(vm.NewTypeError("Constructing a ReadableStream is not supported by Ferry yet (only request and response bodies are streams)"))
	})
	a.stream = c
	this := func(call goja.FunctionCall) *bodyStream { return js.This[*bodyStream](vm, call) }
	c.Getter("locked", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).locked) })
	c.Method("cancel", func(call goja.FunctionCall) goja.Value {
		s := this(call)
		p, resolve, reject := vm.NewPromise()
		if s.locked {
			_ = reject(vm.NewTypeError("This ReadableStream is currently locked to a reader."))
		} else {
			s.body.used = true
			_ = resolve(goja.Undefined())
		}
		return vm.ToValue(p)
	})
	c.Method("getReader", func(call goja.FunctionCall) goja.Value {
		s := this(call)
		if opts, ok := call.Argument(0).(*goja.Object); ok {
			if m := opts.Get("mode"); m != nil && m.String() == "byob" {
				panic(vm.NewTypeError("BYOB readers are not supported by Ferry yet"))
			}
		}
		if s.locked {
			panic(vm.NewTypeError("This ReadableStream is currently locked to a reader."))
		}
		s.locked = true
		return a.newReader(s)
	})
	for _, name := range []string{"pipeTo", "pipeThrough", "tee"} {
		name := name
		c.Method(name, func(goja.FunctionCall) goja.Value {
			panic(vm.NewTypeError("ReadableStream." + name + "() is not supported by Ferry yet"))
		})
	}
	values := func(call goja.FunctionCall) goja.Value {
		s := this(call)
		if s.locked {
			panic(vm.NewTypeError("This ReadableStream is currently locked to a reader."))
		}
		s.locked = true
		reader := a.newReader(s).(*goja.Object)
		it := vm.NewObject()
		_ = it.Set("next", func(goja.FunctionCall) goja.Value {
			read, _ := goja.AssertFunction(reader.Get("read"))
			v, err := read(reader)
			if err != nil {
				panic(err)
			}
			return v
		})
		_ = it.Set("return", func(call goja.FunctionCall) goja.Value {
			p, resolve, _ := vm.NewPromise()
			s.body.used = true
			res := vm.NewObject()
			_ = res.Set("value", call.Argument(0))
			_ = res.Set("done", true)
			_ = resolve(res)
			return vm.ToValue(p)
		})
		if ai := vm.Get("Symbol").(*goja.Object).Get("asyncIterator"); ai != nil {
			if sym, ok := ai.(*goja.Symbol); ok {
				_ = it.SetSymbol(sym, func(c goja.FunctionCall) goja.Value { return c.This })
			}
		}
		return it
	}
	c.Method("values", values)
	if ai, ok := vm.Get("Symbol").(*goja.Object).Get("asyncIterator").(*goja.Symbol); ok {
		_ = c.Proto.DefineDataPropertySymbol(ai, c.Proto.Get("values"), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	_ = vm.GlobalObject().Set("ReadableStream", c.Ctor)
}

// newReader returns a ReadableStreamDefaultReader-like object whose read()
// yields the whole body as one Uint8Array chunk, then done.
func (a *api) newReader(s *bodyStream) goja.Value {
	vm := a.vm
	r := vm.NewObject()
	done := false
	result := func(value goja.Value, isDone bool) *goja.Object {
		o := vm.NewObject()
		_ = o.Set("value", value)
		_ = o.Set("done", isDone)
		return o
	}
	_ = r.Set("read", func(goja.FunctionCall) goja.Value {
		if done || s.body.src == nil {
			p, resolve, _ := vm.NewPromise()
			_ = resolve(result(goja.Undefined(), true))
			return vm.ToValue(p)
		}
		done = true
		return a.consume(s.body, func(b []byte) goja.Value {
			if len(b) == 0 {
				return result(goja.Undefined(), true)
			}
			return result(js.NewUint8Array(vm, append([]byte(nil), b...)), false)
		})
	})
	_ = r.Set("releaseLock", func(goja.FunctionCall) goja.Value { s.locked = false; return goja.Undefined() })
	_ = r.Set("cancel", func(goja.FunctionCall) goja.Value {
		done = true
		s.body.used = true
		p, resolve, _ := vm.NewPromise()
		_ = resolve(goja.Undefined())
		return vm.ToValue(p)
	})
	closed, resolveClosed, _ := vm.NewPromise()
	_ = resolveClosed(goja.Undefined())
	_ = r.Set("closed", closed)
	return r
}
