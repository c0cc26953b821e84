package env

import (
	"context"
	"io"
	"math"
	"strconv"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// r2Body is the body of an R2ObjectBody: the store's reader until JS asks
// for `body` (then a ReadableStream over it, read chunk by chunk off the
// loop) or reads it whole with text()/arrayBuffer()/..., which read the
// reader straight into one buffer of the known size off the loop.
type r2Body struct {
	rc     io.ReadCloser // nil once given to a stream or read
	size   int64
	stream *goja.Object
	used   bool // read by text() and friends
}

const bodyUsedMessage = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."

func (g *r2Glue) thisBody(call goja.FunctionCall) *r2Body {
	d := g.thisObject(call)
	if d.body == nil {
		panic(g.vm.NewTypeError("Illegal invocation"))
	}
	return d.body
}

func (g *r2Glue) streams() *streams.API {
	st := streams.Of(g.vm)
	if st == nil {
		panic(g.vm.NewTypeError("R2 object bodies need the streams API"))
	}
	return st
}

// defineBody adds R2ObjectBody's body, bodyUsed and read methods.
func (g *r2Glue) defineBody() {
	vm := g.vm
	c := g.objectBody
	js.Attribute(vm, c.Proto, "body", func(call goja.FunctionCall) goja.Value {
		return g.bodyStream(g.thisBody(call))
	}, nil)
	js.Attribute(vm, c.Proto, "bodyUsed", func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(g.bodyUsed(g.thisBody(call)))
	}, nil)
	read := func(name string, conv func(call goja.FunctionCall, b []byte) goja.Value) {
		js.Operation(vm, c.Proto, name, 0, func(call goja.FunctionCall) goja.Value {
			return g.readBody(call, g.thisBody(call), conv)
		})
	}
	read("arrayBuffer", func(_ goja.FunctionCall, b []byte) goja.Value {
		return vm.ToValue(vm.NewArrayBuffer(b))
	})
	read("bytes", func(_ goja.FunctionCall, b []byte) goja.Value {
		return js.NewUint8Array(vm, b)
	})
	read("text", func(_ goja.FunctionCall, b []byte) goja.Value {
		return vm.ToValue(js.DecodeUTF8(b))
	})
	read("json", func(_ goja.FunctionCall, b []byte) goja.Value {
		return js.ParseJSON(vm, b)
	})
	read("blob", func(call goja.FunctionCall, b []byte) goja.Value {
		d := g.thisObject(call)
		typ := ""
		if d.o.HTTPMetadata != nil {
			typ = d.o.HTTPMetadata.ContentType
		}
		opts := vm.NewObject()
		_ = opts.Set("type", typ)
		blob, err := vm.New(g.blobCtor, vm.NewArray(js.NewUint8Array(vm, b)), opts)
		if err != nil {
			panic(err)
		}
		return blob
	})
}

func (g *r2Glue) bodyStream(b *r2Body) goja.Value {
	if b.stream == nil {
		st := g.streams()
		if b.rc != nil {
			b.stream = st.NewReaderStream(b.rc)
			b.rc = nil
		} else {
			// Already read by text() and friends: a used-up stream, as
			// Response bodies have.
			b.stream = st.NewBytesStream(nil)
			st.Take(b.stream)
		}
	}
	return b.stream
}

func (g *r2Glue) bodyUsed(b *r2Body) bool {
	if b.used {
		return true
	}
	if b.stream != nil {
		_, disturbed := g.streams().State(b.stream)
		return disturbed
	}
	return false
}

// readBody reads the whole body off the loop and resolves with conv of it.
func (g *r2Glue) readBody(call goja.FunctionCall, b *r2Body, conv func(goja.FunctionCall, []byte) goja.Value) goja.Value {
	vm := g.vm
	if g.bodyUsed(b) {
		return g.rejected(r2.OpGet, vm.NewTypeError(bodyUsedMessage))
	}
	r := b.rc
	b.rc = nil
	if b.stream != nil {
		st := g.streams()
		if locked, _ := st.State(b.stream); locked {
			return g.rejected(r2.OpGet, vm.NewTypeError("This ReadableStream is currently locked to a reader."))
		}
		sr, data, isData, ok := st.Take(b.stream)
		switch {
		case ok && isData:
			b.used = true
			return g.settled(call, data, conv)
		case ok:
			r = sr
		default:
			return g.rejected(r2.OpGet, vm.NewTypeError(bodyUsedMessage))
		}
	}
	b.used = true
	if r == nil {
		return g.settled(call, nil, conv)
	}
	size := b.size
	return g.async(r2.OpGet, func(context.Context) (any, error) {
		defer r.Close()
		buf := make([]byte, size)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}, func(res any) goja.Value { return conv(call, res.([]byte)) })
}

func (g *r2Glue) settled(call goja.FunctionCall, data []byte, conv func(goja.FunctionCall, []byte) goja.Value) goja.Value {
	p, resolve, reject := g.vm.NewPromise()
	var v goja.Value
	if ex := g.vm.Try(func() { v = conv(call, data) }); ex != nil {
		_ = reject(ex.Value())
	} else {
		_ = resolve(v)
	}
	return g.vm.ToValue(p)
}

// --- R2MultipartUpload ---

// r2Upload is an R2MultipartUpload: key and uploadId (own, read-only
// properties) and the bucket it belongs to.
type r2Upload struct {
	js.Expando
	b             r2.Bucket
	key, uploadID string
}

func (g *r2Glue) newUpload(b r2.Bucket, key, uploadID string) *goja.Object {
	u := &r2Upload{b: b, key: key, uploadID: uploadID}
	obj := g.upload.Wrap(u)
	u.Expando.Set("key", g.vm.ToValue(key))
	u.Expando.Set("uploadId", g.vm.ToValue(uploadID))
	return obj
}

func (g *r2Glue) createMultipartUpload(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	key := js.Arg(call, 0).String()
	var opts r2.MultipartOptions
	if thrown := g.try(func() {
		o := object(js.Arg(call, 1))
		opts.CustomMetadata = customMetadata(field(o, "customMetadata"))
		opts.HTTPMetadata = g.httpMetadata(field(o, "httpMetadata"))
		if s := field(o, "storageClass"); s != nil {
			opts.StorageClass = s.String()
		}
	}); thrown != nil {
		return g.rejected(r2.OpCreate, thrown)
	}
	return g.async(r2.OpCreate, func(ctx context.Context) (any, error) {
		return b.CreateMultipartUpload(ctx, key, opts)
	}, func(r any) goja.Value { return g.newUpload(b, key, r.(string)) })
}

// resumeMultipartUpload does not check the id, as on Cloudflare: a wrong
// one fails at the first uploadPart, complete or abort.
func (g *r2Glue) resumeMultipartUpload(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	return g.newUpload(b, js.Arg(call, 0).String(), js.Arg(call, 1).String())
}

// partNumber converts a part number as WebIDL's int does, then checks it.
func partNumber(v goja.Value) int {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	n := int(math.Trunc(f))
	if err := r2.CheckPartNumber(n); err != nil {
		panic(err)
	}
	return n
}

func (g *r2Glue) defineUpload() {
	vm := g.vm
	c := g.upload
	this := func(call goja.FunctionCall) *r2Upload { return js.This[*r2Upload](vm, call) }
	js.Operation(vm, c.Proto, "uploadPart", 2, func(call goja.FunctionCall) goja.Value {
		u := this(call)
		var n int
		var value io.Reader
		if thrown := g.try(func() {
			n = partNumber(js.Arg(call, 0))
			value = g.value("uploadPart", "R2MultipartUpload", js.Arg(call, 1))
		}); thrown != nil {
			return g.rejected(r2.OpPart, thrown)
		}
		return g.async(r2.OpPart, func(ctx context.Context) (any, error) {
			defer closeValue(value)
			return u.b.UploadPart(ctx, u.key, u.uploadID, n, value)
		}, func(r any) goja.Value {
			p := r.(r2.UploadedPart)
			out := vm.NewObject()
			_ = out.Set("partNumber", p.PartNumber)
			_ = out.Set("etag", p.ETag)
			return out
		})
	})
	js.Operation(vm, c.Proto, "abort", 0, func(call goja.FunctionCall) goja.Value {
		u := this(call)
		return g.async(r2.OpAbort, func(ctx context.Context) (any, error) {
			return nil, u.b.AbortMultipartUpload(ctx, u.key, u.uploadID)
		}, func(any) goja.Value { return goja.Undefined() })
	})
	js.Operation(vm, c.Proto, "complete", 1, func(call goja.FunctionCall) goja.Value {
		u := this(call)
		var parts []r2.UploadedPart
		if thrown := g.try(func() {
			list := object(js.Arg(call, 0))
			if list == nil || list.ClassName() != "Array" {
				panic(typeError("Failed to execute 'complete' on 'R2MultipartUpload': parameter 1 is not of type 'Array'."))
			}
			n := list.Get("length").ToInteger()
			for i := int64(0); i < n; i++ {
				p := object(list.Get(strconv.FormatInt(i, 10)))
				if p == nil {
					panic(typeError("Failed to execute 'complete' on 'R2MultipartUpload': parameter 1 is not of type 'Array<R2UploadedPart>'."))
				}
				num := p.Get("partNumber")
				if num == nil {
					num = goja.Undefined()
				}
				etag := ""
				if e := field(p, "etag"); e != nil {
					etag = e.String()
				}
				parts = append(parts, r2.UploadedPart{PartNumber: partNumber(num), ETag: etag})
			}
		}); thrown != nil {
			return g.rejected(r2.OpComplete, thrown)
		}
		return g.async(r2.OpComplete, func(ctx context.Context) (any, error) {
			return u.b.CompleteMultipartUpload(ctx, u.key, u.uploadID, parts)
		}, func(r any) goja.Value { return g.newObject(*r.(*r2.Object), nil) })
	})
}
