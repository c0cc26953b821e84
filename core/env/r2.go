package env

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/bindings/r2"
	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/fetch"
	"github.com/ferry-run/ferry/core/webapi/file"
	"github.com/ferry-run/ferry/core/webapi/streams"
)

// r2Glue is Cloudflare's R2 API (R2Bucket, R2Object, R2ObjectBody,
// R2MultipartUpload) over an r2.Bucket on one runtime. Arguments are
// converted on the loop goroutine; the store runs on a worker goroutine;
// promises settle back on the loop, so JS values never leave it.
//
// Values stream: a put of a request body hands its Go reader straight to the
// store, and a get's body is a ReadableStream over the store's reader (see
// r2body.go), so large objects never sit in memory.
type r2Glue struct {
	vm   *goja.Runtime
	loop *loop.Loop

	bucket, object, objectBody, checksumsClass, upload *js.Class

	errorCtor, rangeErrorCtor, dateCtor, blobCtor *goja.Object
}

// r2Bucket is the Go value behind an env.BUCKET object.
type r2Bucket struct {
	js.Expando
	b r2.Bucket
}

// r2ValueTypes is the error for a value put and uploadPart do not take.
const r2ValueTypes = "Failed to execute '%s' on '%s': parameter 2 is not of type 'ReadableStream or ArrayBuffer or ArrayBufferView or string or Blob'."

func newR2Glue(l *loop.Loop) *r2Glue {
	vm := l.VM()
	g := &r2Glue{vm: vm, loop: l}
	g.errorCtor = vm.Get("Error").ToObject(vm)
	g.rangeErrorCtor = vm.Get("RangeError").ToObject(vm)
	g.dateCtor = vm.Get("Date").ToObject(vm)
	if v := vm.Get("Blob"); v != nil && !goja.IsUndefined(v) {
		g.blobCtor = v.ToObject(vm)
	}

	c := js.NewClass(vm, "R2Bucket", 0, nil)
	g.bucket = c
	js.Operation(vm, c.Proto, "head", 1, g.head)
	js.Operation(vm, c.Proto, "get", 2, g.get)
	js.Operation(vm, c.Proto, "put", 3, g.put)
	js.Operation(vm, c.Proto, "delete", 1, g.delete)
	js.Operation(vm, c.Proto, "list", 1, g.list)
	js.Operation(vm, c.Proto, "createMultipartUpload", 2, g.createMultipartUpload)
	js.Operation(vm, c.Proto, "resumeMultipartUpload", 2, g.resumeMultipartUpload)

	g.object = js.NewClass(vm, "R2Object", 0, nil)
	js.Operation(vm, g.object.Proto, "writeHttpMetadata", 1, g.writeHTTPMetadata)
	g.objectBody = js.NewClass(vm, "R2ObjectBody", 0, nil)
	_ = g.objectBody.Proto.SetPrototype(g.object.Proto)
	g.defineBody()
	g.checksumsClass = js.NewClass(vm, "R2Checksums", 0, nil)
	js.Operation(vm, g.checksumsClass.Proto, "toJSON", 0, g.checksumsJSON)
	g.upload = js.NewClass(vm, "R2MultipartUpload", 0, nil)
	g.defineUpload()
	return g
}

func (g *r2Glue) wrap(b r2.Bucket) *goja.Object {
	return g.bucket.Wrap(&r2Bucket{b: b})
}

func (g *r2Glue) this(call goja.FunctionCall) r2.Bucket {
	return js.This[*r2Bucket](g.vm, call).b
}

// async runs work off the loop and settles the returned promise on the loop
// with settle's result (a thrown JS value rejects it).
func (g *r2Glue) async(op string, work func(ctx context.Context) (any, error), settle func(any) goja.Value) goja.Value {
	return runIO(g.loop, backgroundCtx, work, func(err error) goja.Value { return g.jsError(op, err) }, settle)
}

// rejected returns a promise rejected with err (as jsError words it) or
// with a JS value.
func (g *r2Glue) rejected(op string, err any) goja.Value {
	p, _, reject := g.vm.NewPromise()
	switch e := err.(type) {
	case goja.Value:
		_ = reject(e)
	case error:
		_ = reject(g.jsError(op, e))
	}
	return g.vm.ToValue(p)
}

// try runs parse (which may throw a JS value or panic with an error) and
// returns what it threw.
func (g *r2Glue) try(parse func()) (thrown any) {
	defer func() {
		if r := recover(); r != nil {
			switch e := r.(type) {
			case *r2.Error:
				thrown = error(e)
			case error:
				var ex *goja.Exception
				if errors.As(e, &ex) {
					thrown = ex.Value()
					return
				}
				panic(r)
			case goja.Value:
				thrown = e
			default:
				panic(r)
			}
		}
	}()
	parse()
	return nil
}

// jsError turns a store error into what Workers code catches: R2's errors
// as Error("op: message (code)"), argument errors as TypeError or
// RangeError, anything else as R2's internal error with the cause.
func (g *r2Glue) jsError(op string, err error) goja.Value {
	var e *r2.Error
	if errors.As(err, &e) {
		switch e.Kind {
		case "TypeError":
			return g.vm.NewTypeError(e.Message)
		case "RangeError":
			return g.newError(g.rangeErrorCtor, e.Message)
		}
		return g.newError(g.errorCtor, e.Error())
	}
	return g.newError(g.errorCtor, op+": We encountered an internal error. Please try again. (10001): "+err.Error())
}

func (g *r2Glue) newError(ctor *goja.Object, msg string) goja.Value {
	obj, err := g.vm.New(ctor, g.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return obj
}

func typeError(format string, args ...any) *r2.Error {
	return &r2.Error{Kind: "TypeError", Message: fmt.Sprintf(format, args...)}
}

func rangeError(format string, args ...any) *r2.Error {
	return &r2.Error{Kind: "RangeError", Message: fmt.Sprintf(format, args...)}
}

// --- argument conversion ---

// object returns v as an object, or nil when v is undefined or null.
func object(v goja.Value) *goja.Object {
	if js.IsNullish(v) {
		return nil
	}
	o, _ := v.(*goja.Object)
	return o
}

func field(o *goja.Object, name string) goja.Value {
	if o == nil {
		return nil
	}
	v := o.Get(name)
	if js.IsNullish(v) {
		return nil
	}
	return v
}

// headers returns the Go Headers behind v, if v is a Headers object.
func headers(v goja.Value) (*fetch.Headers, bool) { return js.Unwrap[*fetch.Headers](v) }

// date converts a Date (or a value Date accepts) to a time; ok is false for
// an invalid date.
func (g *r2Glue) date(v goja.Value) (time.Time, bool) {
	var ms float64
	if o, isObj := v.(*goja.Object); isObj && o.ClassName() == "Date" {
		ms = o.ToNumber().ToFloat()
	} else {
		d, err := g.vm.New(g.dateCtor, v)
		if err != nil {
			panic(err)
		}
		ms = d.ToNumber().ToFloat()
	}
	if math.IsNaN(ms) {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(ms)).UTC(), true
}

// parseDate parses an HTTP date the way JS's Date does.
func (g *r2Glue) parseDate(s string) (time.Time, bool) {
	return g.date(g.vm.ToValue(s))
}

// conditional reads onlyIf: an R2Conditional or a Headers.
func (g *r2Glue) conditional(v goja.Value) *r2.Conditional {
	if js.IsNullish(v) {
		return nil
	}
	c := &r2.Conditional{}
	if h, ok := headers(v); ok {
		c.SecondsGranularity = true
		for _, p := range []struct {
			name string
			dst  *[]r2.Etag
		}{{"if-match", &c.EtagMatches}, {"if-none-match", &c.EtagDoesNotMatch}} {
			if s, ok := h.Value(p.name); ok {
				list, err := r2.ParseEtagHeader(s)
				if err != nil {
					panic(err)
				}
				*p.dst = list
			}
		}
		for _, p := range []struct {
			name string
			dst  *time.Time
		}{{"if-modified-since", &c.UploadedAfter}, {"if-unmodified-since", &c.UploadedBefore}} {
			if s, ok := h.Value(p.name); ok {
				if t, ok := g.parseDate(s); ok {
					*p.dst = t
				}
			}
		}
		return c
	}
	o := object(v)
	if o == nil {
		panic(typeError("Failed to execute 'onlyIf': the value is not an R2Conditional or Headers."))
	}
	for _, p := range []struct {
		name string
		dst  *[]r2.Etag
	}{{"etagMatches", &c.EtagMatches}, {"etagDoesNotMatch", &c.EtagDoesNotMatch}} {
		if e := field(o, p.name); e != nil {
			s, isStr := e.Export().(string)
			if !isStr {
				panic(typeError("Incorrect type for the '%v' field on 'R2Conditional': the provided value is not of type 'string'.", p.name))
			}
			etag, err := r2.ConditionalEtag(s)
			if err != nil {
				panic(err)
			}
			*p.dst = []r2.Etag{etag}
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"uploadedBefore", &c.UploadedBefore}, {"uploadedAfter", &c.UploadedAfter}} {
		if d := field(o, p.name); d != nil {
			t, ok := g.date(d)
			if !ok {
				panic(typeError("Incorrect type for the '%v' field on 'R2Conditional': the provided value is not of type 'date'.", p.name))
			}
			*p.dst = t
		}
	}
	if s := field(o, "secondsGranularity"); s != nil {
		c.SecondsGranularity = s.ToBoolean()
	}
	return c
}

// httpMetadata reads httpMetadata: an R2HTTPMetadata or a Headers.
func (g *r2Glue) httpMetadata(v goja.Value) r2.HTTPMetadata {
	var m r2.HTTPMetadata
	if js.IsNullish(v) {
		return m
	}
	fields := []struct {
		js, header string
		dst        *string
	}{
		{"contentType", "content-type", &m.ContentType},
		{"contentLanguage", "content-language", &m.ContentLanguage},
		{"contentDisposition", "content-disposition", &m.ContentDisposition},
		{"contentEncoding", "content-encoding", &m.ContentEncoding},
		{"cacheControl", "cache-control", &m.CacheControl},
	}
	if h, ok := headers(v); ok {
		for _, f := range fields {
			*f.dst, _ = h.Value(f.header)
		}
		if s, ok := h.Value("expires"); ok {
			m.CacheExpiry, _ = g.parseDate(s)
		}
		return m
	}
	o := object(v)
	if o == nil {
		panic(typeError("Failed to execute 'httpMetadata': the value is not an R2HTTPMetadata or Headers."))
	}
	for _, f := range fields {
		if s := field(o, f.js); s != nil {
			*f.dst = s.String()
		}
	}
	if d := field(o, "cacheExpiry"); d != nil {
		t, ok := g.date(d)
		if !ok {
			panic(typeError("Incorrect type for the 'cacheExpiry' field on 'R2HTTPMetadata': the provided value is not of type 'date'."))
		}
		m.CacheExpiry = t
	}
	return m
}

// customMetadata reads customMetadata: an object of strings.
func customMetadata(v goja.Value) map[string]string {
	o := object(v)
	if o == nil {
		return nil
	}
	m := make(map[string]string, len(o.Keys()))
	for _, k := range o.Keys() {
		m[k] = o.Get(k).String()
	}
	return m
}

// checksums reads put's md5...sha512 options: bytes or hex strings, at most
// one of them, each of the algorithm's length.
func (g *r2Glue) checksums(o *goja.Object) r2.Checksums {
	var c r2.Checksums
	given := false
	for _, a := range []struct {
		field, name string
		size        int
		dst         *[]byte
	}{
		{"md5", "MD5", 16, &c.MD5},
		{"sha1", "SHA-1", 20, &c.SHA1},
		{"sha256", "SHA-256", 32, &c.SHA256},
		{"sha384", "SHA-384", 48, &c.SHA384},
		{"sha512", "SHA-512", 64, &c.SHA512},
	} {
		v := field(o, a.field)
		if v == nil {
			continue
		}
		if given {
			panic(typeError("You cannot specify multiple hashing algorithms."))
		}
		given = true
		if s, isStr := v.Export().(string); isStr {
			if len(s) != a.size*2 {
				panic(typeError("%v is %v hex characters, not %v", a.name, a.size*2, len(s)))
			}
			b, err := hex.DecodeString(s)
			if err != nil {
				panic(typeError("Provided %v wasn't a valid hex string", a.name))
			}
			*a.dst = b
			continue
		}
		b, ok := js.Bytes(g.vm, v)
		if !ok {
			panic(typeError("Incorrect type for the '%v' field on 'R2PutOptions': the provided value is not of type 'ArrayBuffer or ArrayBufferView or string'.", a.field))
		}
		if len(b) != a.size {
			panic(typeError("%v is %v bytes, not %v", a.name, a.size, len(b)))
		}
		*a.dst = append([]byte(nil), b...)
	}
	return c
}

// getRange reads get's range: an R2Range or a Headers with a Range header.
func getRange(v goja.Value, opts *r2.GetOptions) {
	if js.IsNullish(v) {
		return
	}
	if h, ok := headers(v); ok {
		opts.RangeHeader, _ = h.Value("range")
		return
	}
	o := object(v)
	if o == nil {
		panic(typeError("Failed to execute 'range': the value is not an R2Range or Headers."))
	}
	num := func(name string) *float64 {
		f := field(o, name)
		if f == nil {
			return nil
		}
		n := f.ToFloat()
		return &n
	}
	whole := func(n float64) bool { return n == math.Trunc(n) && !math.IsInf(n, 0) }
	r := &r2.Range{}
	offset, length, suffix := num("offset"), num("length"), num("suffix")
	if offset != nil {
		if !(*offset >= 0) {
			panic(rangeError("Invalid range. Starting offset (%v) must be greater than or equal to 0.", *offset))
		}
		if !whole(*offset) {
			panic(rangeError("Invalid range. Starting offset (%v) must be an integer, not floating point.", *offset))
		}
		n := int64(*offset)
		r.Offset = &n
	}
	if length != nil {
		if !(*length >= 0) {
			panic(rangeError("Invalid range. Length (%v) must be greater than or equal to 0.", *length))
		}
		if !whole(*length) {
			panic(rangeError("Invalid range. Length (%v) must be an integer, not floating point.", *length))
		}
		n := int64(*length)
		r.Length = &n
	}
	if suffix != nil {
		if offset != nil {
			panic(typeError("Suffix is incompatible with offset."))
		}
		if length != nil {
			panic(typeError("Suffix is incompatible with length."))
		}
		if !(*suffix >= 0) {
			panic(rangeError("Invalid suffix. Suffix (%v) must be greater than or equal to 0.", *suffix))
		}
		if !whole(*suffix) {
			panic(rangeError("Invalid range. Suffix (%v) must be an integer, not floating point.", *suffix))
		}
		n := int64(*suffix)
		r.Suffix = &n
	}
	opts.Range = r
}

// value converts put's (or uploadPart's) value to a reader the store reads
// off the loop. Bytes are copied (JS may change them while the put runs);
// a Blob's bytes never change and are shared; a stream made from a Go
// reader (a request body) gives that reader up; any other stream is read
// chunk by chunk through the loop.
func (g *r2Glue) value(op, iface string, v goja.Value) io.Reader {
	vm := g.vm
	if js.IsNullish(v) {
		return nil
	}
	if s, isStr := v.Export().(string); isStr {
		return strings.NewReader(s)
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		panic(typeError(r2ValueTypes, op, iface))
	}
	if b, ok := file.Unwrap(v); ok {
		return bytes.NewReader(b.Bytes())
	}
	if b, ok := js.Bytes(vm, v); ok {
		return bytes.NewReader(append([]byte(nil), b...))
	}
	if st := streams.Of(vm); st != nil && st.IsReadableStream(obj) {
		if locked, disturbed := st.State(obj); locked || disturbed {
			panic(typeError("This ReadableStream is disturbed (has already been read from), or locked to a reader, and cannot be used as a body."))
		}
		if r, data, isData, ok := st.Take(obj); ok {
			if isData {
				return bytes.NewReader(data)
			}
			return r
		}
		return st.NewReader(obj, g.loop.Current(), nil)
	}
	panic(typeError(r2ValueTypes, op, iface))
}

// closeValue closes what value returned when it is a closer (a stream's
// reader), once the store is done with it.
func closeValue(r io.Reader) {
	if c, ok := r.(io.Closer); ok {
		_ = c.Close()
	}
}

// --- R2Bucket ---

func (g *r2Glue) head(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	key := js.Arg(call, 0).String()
	return g.async(r2.OpHead, func(ctx context.Context) (any, error) {
		return b.Head(ctx, key)
	}, func(r any) goja.Value {
		o := r.(*r2.Object)
		if o == nil {
			return goja.Null()
		}
		return g.newObject(*o, nil)
	})
}

func (g *r2Glue) get(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	key := js.Arg(call, 0).String()
	var opts r2.GetOptions
	if thrown := g.try(func() {
		o := object(js.Arg(call, 1))
		opts.OnlyIf = g.conditional(field(o, "onlyIf"))
		getRange(field(o, "range"), &opts)
	}); thrown != nil {
		return g.rejected(r2.OpGet, thrown)
	}
	return g.async(r2.OpGet, func(ctx context.Context) (any, error) {
		return b.Get(ctx, key, opts)
	}, func(r any) goja.Value {
		res := r.(*r2.GetResult)
		if res == nil {
			return goja.Null()
		}
		if res.Body == nil {
			return g.newObject(res.Object, nil)
		}
		return g.newObject(res.Object, &r2Body{rc: res.Body, size: res.Range.Length})
	})
}

func (g *r2Glue) put(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	key := js.Arg(call, 0).String()
	var opts r2.PutOptions
	var value io.Reader
	if thrown := g.try(func() {
		o := object(js.Arg(call, 2))
		opts.OnlyIf = g.conditional(field(o, "onlyIf"))
		opts.CustomMetadata = customMetadata(field(o, "customMetadata"))
		opts.HTTPMetadata = g.httpMetadata(field(o, "httpMetadata"))
		opts.Checksums = g.checksums(o)
		if s := field(o, "storageClass"); s != nil {
			opts.StorageClass = s.String()
		}
		value = g.value("put", "R2Bucket", js.Arg(call, 1))
	}); thrown != nil {
		return g.rejected(r2.OpPut, thrown)
	}
	return g.async(r2.OpPut, func(ctx context.Context) (any, error) {
		defer closeValue(value)
		return b.Put(ctx, key, value, opts)
	}, func(r any) goja.Value {
		o := r.(*r2.Object)
		if o == nil {
			return goja.Null()
		}
		return g.newObject(*o, nil)
	})
}

func (g *r2Glue) delete(call goja.FunctionCall) goja.Value {
	b := g.this(call)
	arg := js.Arg(call, 0)
	var keys []string
	if o, isObj := arg.(*goja.Object); isObj && o.ClassName() == "Array" {
		n := o.Get("length").ToInteger()
		keys = make([]string, 0, n)
		for i := int64(0); i < n; i++ {
			keys = append(keys, o.Get(strconv.FormatInt(i, 10)).String())
		}
	} else {
		keys = []string{arg.String()}
	}
	return g.async(r2.OpDelete, func(ctx context.Context) (any, error) {
		return nil, b.Delete(ctx, keys)
	}, func(any) goja.Value { return goja.Undefined() })
}

func (g *r2Glue) list(call goja.FunctionCall) goja.Value {
	vm := g.vm
	b := g.this(call)
	var opts r2.ListOptions
	if thrown := g.try(func() {
		o := object(js.Arg(call, 0))
		if v := field(o, "limit"); v != nil {
			n := v.ToInteger()
			if n < 1 {
				n = -1 // 0 is not "the default" when given: R2 refuses it
			}
			opts.Limit = int(min(n, math.MaxInt32))
		}
		str := func(name string) string {
			if v := field(o, name); v != nil {
				return v.String()
			}
			return ""
		}
		opts.Prefix, opts.Cursor, opts.Delimiter, opts.StartAfter = str("prefix"), str("cursor"), str("delimiter"), str("startAfter")
		if inc := object(field(o, "include")); inc != nil {
			n := inc.Get("length").ToInteger()
			for i := int64(0); i < n; i++ {
				switch s := inc.Get(strconv.FormatInt(i, 10)).String(); s {
				case "httpMetadata":
					opts.IncludeHTTPMetadata = true
				case "customMetadata":
					opts.IncludeCustomMetadata = true
				default:
					panic(rangeError("Unsupported include value %v", s))
				}
			}
		}
	}); thrown != nil {
		return g.rejected(r2.OpList, thrown)
	}
	return g.async(r2.OpList, func(ctx context.Context) (any, error) {
		return b.List(ctx, opts)
	}, func(r any) goja.Value {
		res := r.(r2.ListResult)
		objects := make([]any, len(res.Objects))
		for i, o := range res.Objects {
			objects[i] = g.newObject(o, nil)
		}
		prefixes := make([]any, len(res.DelimitedPrefixes))
		for i, p := range res.DelimitedPrefixes {
			prefixes[i] = p
		}
		out := vm.NewObject()
		_ = out.Set("objects", vm.NewArray(objects...))
		_ = out.Set("truncated", res.Truncated)
		if res.Truncated {
			_ = out.Set("cursor", res.Cursor)
		}
		_ = out.Set("delimitedPrefixes", vm.NewArray(prefixes...))
		return out
	})
}

// --- R2Object ---

// r2Object is an R2Object (body nil) or R2ObjectBody. Its attributes are own
// properties, as in workerd, made on first access: listing a thousand
// objects builds no Date or metadata object nobody reads.
type r2Object struct {
	g     *r2Glue
	o     r2.Object
	body  *r2Body
	props map[string]goja.Value // made attributes and properties JS added
	extra []string              // names of the properties JS added, in order
}

// r2Attributes are an object's attributes, in workerd's order.
var r2Attributes = []string{"key", "version", "size", "etag", "httpEtag", "checksums", "uploaded",
	"httpMetadata", "customMetadata", "range", "storageClass"}

func (g *r2Glue) newObject(o r2.Object, body *r2Body) *goja.Object {
	d := &r2Object{g: g, o: o, body: body}
	if body != nil {
		return g.objectBody.Wrap(d)
	}
	return g.object.Wrap(d)
}

// has reports whether the object has attribute name (range only on gets,
// metadata not on lists that did not include it).
func (d *r2Object) has(name string) bool {
	switch name {
	case "key", "version", "size", "etag", "httpEtag", "checksums", "uploaded", "storageClass":
		return true
	case "httpMetadata":
		return d.o.HTTPMetadata != nil
	case "customMetadata":
		return d.o.CustomMetadata != nil
	case "range":
		return d.o.Range != nil
	}
	return false
}

func (d *r2Object) attribute(name string) goja.Value {
	g, vm, o := d.g, d.g.vm, &d.o
	switch name {
	case "key":
		return vm.ToValue(o.Key)
	case "version":
		return vm.ToValue(o.Version)
	case "size":
		return vm.ToValue(o.Size)
	case "etag":
		return vm.ToValue(o.ETag)
	case "httpEtag":
		return vm.ToValue(o.HTTPETag())
	case "checksums":
		return g.checksumsClass.Wrap(&r2Checksums{g: g, c: o.Checksums})
	case "uploaded":
		return g.newDate(o.Uploaded)
	case "storageClass":
		return vm.ToValue(o.StorageClass)
	case "httpMetadata":
		m := o.HTTPMetadata
		out := vm.NewObject()
		for _, f := range []struct{ name, v string }{
			{"contentType", m.ContentType}, {"contentLanguage", m.ContentLanguage},
			{"contentDisposition", m.ContentDisposition}, {"contentEncoding", m.ContentEncoding},
			{"cacheControl", m.CacheControl},
		} {
			if f.v != "" {
				_ = out.Set(f.name, f.v)
			}
		}
		if !m.CacheExpiry.IsZero() {
			_ = out.Set("cacheExpiry", g.newDate(m.CacheExpiry))
		}
		return out
	case "customMetadata":
		keys := make([]string, 0, len(o.CustomMetadata))
		for k := range o.CustomMetadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := vm.NewObject()
		for _, k := range keys {
			_ = out.Set(k, o.CustomMetadata[k])
		}
		return out
	case "range":
		out := vm.NewObject()
		_ = out.Set("offset", o.Range.Offset)
		_ = out.Set("length", o.Range.Length)
		return out
	}
	return nil
}

func (g *r2Glue) newDate(t time.Time) goja.Value {
	d, err := g.vm.New(g.dateCtor, g.vm.ToValue(t.UnixMilli()))
	if err != nil {
		panic(err)
	}
	return d
}

// Get implements goja.DynamicObject.
func (d *r2Object) Get(name string) goja.Value {
	if v, ok := d.props[name]; ok {
		return v
	}
	if !d.has(name) {
		return nil
	}
	v := d.attribute(name)
	if d.props == nil {
		d.props = map[string]goja.Value{}
	}
	d.props[name] = v
	return v
}

// Set implements goja.DynamicObject: attributes are read-only (a strict-mode
// assignment throws); other properties can be added.
func (d *r2Object) Set(name string, v goja.Value) bool {
	if d.has(name) {
		return false
	}
	if d.props == nil {
		d.props = map[string]goja.Value{}
	}
	if _, ok := d.props[name]; !ok {
		d.extra = append(d.extra, name)
	}
	d.props[name] = v
	return true
}

// Has implements goja.DynamicObject.
func (d *r2Object) Has(name string) bool {
	if d.has(name) {
		return true
	}
	_, ok := d.props[name]
	return ok
}

// Delete implements goja.DynamicObject.
func (d *r2Object) Delete(name string) bool {
	if d.has(name) {
		return false
	}
	for i, k := range d.extra {
		if k == name {
			d.extra = append(d.extra[:i], d.extra[i+1:]...)
			delete(d.props, name)
			break
		}
	}
	return true
}

// Keys implements goja.DynamicObject.
func (d *r2Object) Keys() []string {
	keys := make([]string, 0, len(r2Attributes)+len(d.extra))
	for _, k := range r2Attributes {
		if d.has(k) {
			keys = append(keys, k)
		}
	}
	return append(keys, d.extra...)
}

func (g *r2Glue) thisObject(call goja.FunctionCall) *r2Object {
	return js.This[*r2Object](g.vm, call)
}

// writeHTTPMetadata sets the object's HTTP metadata as headers on a Headers.
func (g *r2Glue) writeHTTPMetadata(call goja.FunctionCall) goja.Value {
	vm := g.vm
	d := g.thisObject(call)
	h := object(js.Arg(call, 0))
	set, ok := goja.AssertFunction(field(h, "set"))
	if _, isHeaders := headers(js.Arg(call, 0)); !isHeaders || !ok {
		panic(vm.NewTypeError("Failed to execute 'writeHttpMetadata' on 'R2Object': parameter 1 is not of type 'Headers'."))
	}
	m := d.o.HTTPMetadata
	if m == nil {
		panic(vm.NewTypeError("HTTP metadata unknown for key `" + d.o.Key + "`. Did you forget to add 'httpMetadata' to `include` when listing?"))
	}
	for _, f := range []struct{ name, v string }{
		{"content-type", m.ContentType}, {"content-language", m.ContentLanguage},
		{"content-disposition", m.ContentDisposition}, {"content-encoding", m.ContentEncoding},
		{"cache-control", m.CacheControl},
	} {
		if f.v != "" {
			if _, err := set(h, vm.ToValue(f.name), vm.ToValue(f.v)); err != nil {
				panic(err)
			}
		}
	}
	if !m.CacheExpiry.IsZero() {
		if _, err := set(h, vm.ToValue("expires"), vm.ToValue(m.CacheExpiry.UTC().Format(http.TimeFormat))); err != nil {
			panic(err)
		}
	}
	return goja.Undefined()
}

// --- R2Checksums ---

// r2Checksums is an R2Checksums: md5..sha512 as ArrayBuffers (own
// properties, present when known) and toJSON() with hex strings.
type r2Checksums struct {
	js.Expando
	g    *r2Glue
	c    r2.Checksums
	made bool
}

func (c *r2Checksums) fields() []struct {
	name string
	sum  []byte
} {
	return []struct {
		name string
		sum  []byte
	}{{"md5", c.c.MD5}, {"sha1", c.c.SHA1}, {"sha256", c.c.SHA256}, {"sha384", c.c.SHA384}, {"sha512", c.c.SHA512}}
}

// make fills the own properties on first use.
func (c *r2Checksums) make() {
	if c.made {
		return
	}
	c.made = true
	for _, f := range c.fields() {
		if f.sum != nil {
			c.Expando.Set(f.name, c.g.vm.ToValue(c.g.vm.NewArrayBuffer(append([]byte(nil), f.sum...))))
		}
	}
}

// Get implements goja.DynamicObject.
func (c *r2Checksums) Get(name string) goja.Value { c.make(); return c.Expando.Get(name) }

// Set implements goja.DynamicObject.
func (c *r2Checksums) Set(name string, v goja.Value) bool { c.make(); return c.Expando.Set(name, v) }

// Has implements goja.DynamicObject.
func (c *r2Checksums) Has(name string) bool { c.make(); return c.Expando.Has(name) }

// Delete implements goja.DynamicObject.
func (c *r2Checksums) Delete(name string) bool { c.make(); return c.Expando.Delete(name) }

// Keys implements goja.DynamicObject.
func (c *r2Checksums) Keys() []string { c.make(); return c.Expando.Keys() }

func (g *r2Glue) checksumsJSON(call goja.FunctionCall) goja.Value {
	c := js.This[*r2Checksums](g.vm, call)
	out := g.vm.NewObject()
	for _, f := range c.fields() {
		if f.sum != nil {
			_ = out.Set(f.name, hex.EncodeToString(f.sum))
		}
	}
	return out
}
