// Package file implements the File API's Blob and File for goja runtimes.
//
// A Blob's bytes live in Go and never change after construction: slice()
// and `new Blob([blob])` share them instead of copying, and the fetch family
// reads a Blob body without a copy. Only the methods that hand bytes to JS as
// mutable memory (arrayBuffer, bytes) copy.
//
//	vm := goja.New()
//	files := file.Install(vm)
//	vm.RunString(`new Blob(["héllo"], { type: "Text/Plain" }).type`) // "text/plain"
//	obj := files.Wrap(file.NewBlob([]byte("from Go"), "text/plain"))
//
// Invariant: like every JS value, the objects are touched only by the
// goroutine that owns the runtime.
package file

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// Blob is the Go state behind a JS Blob or File. It is one type for both so
// that every File is a *Blob to Go code (js.Unwrap[*Blob] accepts a File), as
// every File is a Blob to JS.
type Blob struct {
	js.Expando
	data []byte // never modified after construction; may be shared
	typ  string

	isFile       bool
	name         string
	lastModified int64
}

// NewBlob returns a Blob over data with the given type. The Blob owns data from
// now on: the caller must not modify it. typ is normalised as the Blob
// constructor does (see NormalizeType).
func NewBlob(data []byte, typ string) *Blob {
	return &Blob{data: data, typ: NormalizeType(typ)}
}

// NewFile returns a File over data (which the File owns from now on) with a
// name, a type (normalised) and a last-modified time in milliseconds since
// the Unix epoch.
func NewFile(data []byte, name, typ string, lastModified int64) *Blob {
	return &Blob{data: data, typ: NormalizeType(typ), isFile: true, name: name, lastModified: lastModified}
}

// Bytes returns the Blob's content. The slice is shared and must not be
// modified.
func (b *Blob) Bytes() []byte { return b.data }

// Size returns the Blob's length in bytes.
func (b *Blob) Size() int { return len(b.data) }

// Type returns the Blob's MIME type ("" when unknown), lower-cased.
func (b *Blob) Type() string { return b.typ }

// IsFile reports whether the Blob is a File.
func (b *Blob) IsFile() bool { return b.isFile }

// Name returns a File's name ("" for a Blob that is not a File).
func (b *Blob) Name() string { return b.name }

// LastModified returns a File's last-modified time in milliseconds since the
// Unix epoch (0 for a Blob that is not a File).
func (b *Blob) LastModified() int64 { return b.lastModified }

// Clone returns a new Blob (or File) with the same content and attributes and
// none of the JS properties a script added: what structuredClone needs. The
// bytes are shared, as they are immutable.
func (b *Blob) Clone() *Blob {
	return &Blob{data: b.data, typ: b.typ, isFile: b.isFile, name: b.name, lastModified: b.lastModified}
}

// NormalizeType applies the File API's rule for a Blob's type: a string with
// any code point outside U+0020..U+007E becomes "", anything else is
// lower-cased (ASCII).
func NormalizeType(t string) string {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c > 0x7E {
			return ""
		}
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(t)
		}
	}
	return t
}

// Unwrap returns the Blob behind v (a Blob or a File).
func Unwrap(v goja.Value) (*Blob, bool) { return js.Unwrap[*Blob](v) }

// API is the File API installed on one runtime.
type API struct {
	vm                   *goja.Runtime
	blobProto, fileProto *goja.Object
	now                  goja.Callable // the runtime's original Date.now
	dataView             *goja.Object  // the DataView constructor, for BufferSource checks

	// NewStream returns a ReadableStream that yields data, for Blob.stream().
	// The family that owns ReadableStream sets it (today core/webapi/fetch,
	// whose minimal body stream is the only ReadableStream); while it is nil,
	// stream() throws a TypeError saying streams are missing.
	NewStream func(data []byte) goja.Value
}

// glueSrc declares the classes in JS because goja gives a native constructor
// no way to tell `new Blob()` from `Blob()`, which WebIDL requires to throw; a
// class does that, passes new.target for subclasses, makes File extend Blob,
// and gives the constructors their names and lengths (Blob 0, File 2). Each
// constructor hands its arguments straight to Go.
const glueSrc = `(function (makeBlob, makeFile) {
	"use strict";
	class Blob { constructor(blobParts = undefined, options = undefined) { return makeBlob(new.target, blobParts, options); } }
	class File extends Blob { constructor(fileBits, fileName, options = undefined) { return makeFile(new.target, arguments.length, fileBits, fileName, options); } }
	return [Blob, File];
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// Install defines Blob and File on vm's global object and returns the API Go
// code uses to make and read them. Call it once per runtime, on the goroutine
// that owns it, before any script runs.
func Install(vm *goja.Runtime) *API {
	glueOnce.Do(func() { glue = goja.MustCompile("file-glue.js", glueSrc, true) })
	a := &API{vm: vm}
	a.now, _ = goja.AssertFunction(vm.Get("Date").ToObject(vm).Get("now"))
	a.dataView, _ = vm.Get("DataView").(*goja.Object)
	f, err := vm.RunProgram(glue)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	res, err := factory(goja.Undefined(), vm.ToValue(a.constructBlob), vm.ToValue(a.constructFile))
	if err != nil {
		panic(err)
	}
	pair := res.(*goja.Object)
	blobCtor, fileCtor := pair.Get("0").(*goja.Object), pair.Get("1").(*goja.Object)
	a.blobProto = blobCtor.Get("prototype").(*goja.Object)
	a.fileProto = fileCtor.Get("prototype").(*goja.Object)
	a.defineBlob()
	a.defineFile()
	g := vm.GlobalObject()
	_ = g.DefineDataProperty("Blob", blobCtor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = g.DefineDataProperty("File", fileCtor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	events.SetInternalSymbol(vm, g, apiKey, a)
	registerClone()
	return a
}

// Wrap returns a JS Blob or File object for b, with the runtime's Blob.prototype
// or File.prototype.
func (a *API) Wrap(b *Blob) *goja.Object {
	obj := a.vm.NewDynamicObject(b)
	if b.isFile {
		_ = obj.SetPrototype(a.fileProto)
	} else {
		_ = obj.SetPrototype(a.blobProto)
	}
	return obj
}

// Now returns the current time in milliseconds since the Unix epoch, as the
// runtime's Date.now reports it (a File's default lastModified).
func (a *API) Now() int64 {
	v, err := a.now(goja.Undefined())
	if err != nil {
		panic(err)
	}
	return v.ToInteger()
}

// protoFor is GetPrototypeFromConstructor: newTarget.prototype when it is an
// object (a subclass's prototype), else def.
func protoFor(newTarget goja.Value, def *goja.Object) *goja.Object {
	if nt, ok := newTarget.(*goja.Object); ok {
		if p, ok := nt.Get("prototype").(*goja.Object); ok {
			return p
		}
	}
	return def
}

// constructBlob is the body of `new Blob(blobParts, options)`.
func (a *API) constructBlob(call goja.FunctionCall) goja.Value {
	newTarget, parts, opts := call.Argument(0), call.Argument(1), call.Argument(2)
	chunks := a.convertParts(parts, "Blob")
	native, typ := a.blobOptions(opts, "Blob")
	b := &Blob{data: assemble(chunks, native), typ: typ}
	obj := a.vm.NewDynamicObject(b)
	_ = obj.SetPrototype(protoFor(newTarget, a.blobProto))
	return obj
}

// constructFile is the body of `new File(fileBits, fileName, options)`.
func (a *API) constructFile(call goja.FunctionCall) goja.Value {
	vm := a.vm
	newTarget, argc := call.Argument(0), call.Argument(1).ToInteger()
	if argc < 2 {
		js.TypeError(vm, "Failed to construct 'File': 2 arguments required, but only "+strconv.FormatInt(argc, 10)+" present.")
	}
	bits, nameV, opts := call.Argument(2), call.Argument(3), call.Argument(4)
	chunks := a.convertParts(bits, "File")
	name := usv(vm, nameV)
	native, typ := a.blobOptions(opts, "File")
	b := &Blob{data: assemble(chunks, native), typ: typ, isFile: true, name: name}
	b.lastModified = a.Now()
	if o := a.dict(opts, "File"); o != nil {
		if v := o.Get("lastModified"); v != nil && !goja.IsUndefined(v) {
			b.lastModified = toLongLong(v)
		}
	}
	obj := vm.NewDynamicObject(b)
	_ = obj.SetPrototype(protoFor(newTarget, a.fileProto))
	return obj
}

// dict returns options as an object to read dictionary members from: nil for
// undefined or null (all defaults), a TypeError for other non-objects.
func (a *API) dict(opts goja.Value, iface string) *goja.Object {
	if js.IsNullish(opts) {
		return nil
	}
	o, ok := opts.(*goja.Object)
	if !ok {
		js.TypeError(a.vm, "Failed to construct '"+iface+"': The provided value is not of type '"+iface+"PropertyBag'.")
	}
	return o
}

// blobOptions converts a BlobPropertyBag's members in WebIDL order (endings,
// then type): whether line endings become native, and the normalised type.
func (a *API) blobOptions(opts goja.Value, iface string) (native bool, typ string) {
	o := a.dict(opts, iface)
	if o == nil {
		return false, ""
	}
	if v := o.Get("endings"); v != nil && !goja.IsUndefined(v) {
		switch s := usv(a.vm, v); s {
		case "transparent":
		case "native":
			native = true
		default:
			js.TypeError(a.vm, "Failed to construct '"+iface+"': The provided value '"+s+"' is not a valid enum value of type EndingType.")
		}
	}
	if v := o.Get("type"); v != nil && !goja.IsUndefined(v) {
		typ = NormalizeType(usv(a.vm, v))
	}
	return native, typ
}

// chunk is one converted blob part: bytes (a Blob's, or a view of JS memory
// read once every argument is converted, as the spec orders it) or a string.
type chunk struct {
	b    []byte
	s    string
	str  bool
	blob bool
}

// convertParts converts a sequence<BlobPart>. Each element is converted as the
// iteration reaches it: WebIDL reads the iterator lazily, so a script that
// changes the array while its elements convert sees the change, and getters
// run in the order the spec's tests pin.
func (a *API) convertParts(v goja.Value, iface string) []chunk {
	vm := a.vm
	if goja.IsUndefined(v) {
		return nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		js.TypeError(vm, "Failed to construct '"+iface+"': The provided value cannot be converted to a sequence.")
	}
	method, isFn := goja.AssertFunction(obj.GetSymbol(goja.SymIterator))
	if !isFn {
		js.TypeError(vm, "Failed to construct '"+iface+"': The object must have a callable @@iterator property.")
	}
	var chunks []chunk
	// WebIDL's "create a sequence from an iterable": the iterator is not
	// closed when a conversion throws.
	js.Iterate(vm, obj, method, func(el goja.Value) {
		if eo, ok := el.(*goja.Object); ok {
			if b, ok := Unwrap(eo); ok {
				chunks = append(chunks, chunk{b: b.data, blob: true})
				return
			}
			if b, ok := a.bufferSource(eo); ok {
				chunks = append(chunks, chunk{b: b})
				return
			}
		}
		chunks = append(chunks, chunk{s: usv(vm, el), str: true})
	})
	return chunks
}

// assemble concatenates chunks into a new byte slice, converting strings to
// UTF-8 and, when native is set, their line endings to "\n". A single Blob
// part is shared, not copied.
func assemble(chunks []chunk, native bool) []byte {
	if len(chunks) == 1 && chunks[0].blob {
		return chunks[0].b
	}
	n := 0
	for i := range chunks {
		c := &chunks[i]
		if c.str && native && strings.IndexByte(c.s, '\r') >= 0 {
			c.s = strings.ReplaceAll(strings.ReplaceAll(c.s, "\r\n", "\n"), "\r", "\n")
		}
		n += len(c.b) + len(c.s)
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, 0, n)
	for _, c := range chunks {
		if c.str {
			out = append(out, c.s...)
		} else {
			out = append(out, c.b...)
		}
	}
	return out
}

var arrayBufferType = reflect.TypeFor[goja.ArrayBuffer]()

// bufferSource returns the bytes an ArrayBuffer, typed array or DataView views
// (aliasing JS memory), and false for every other object. The type is checked
// without exporting anything, so a plain object's getters never run.
func (a *API) bufferSource(o *goja.Object) ([]byte, bool) {
	t := o.ExportType()
	switch {
	case t == arrayBufferType:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Interface:
		// Typed arrays export as []uint8, []int16, []float64...
		return js.Bytes(a.vm, o)
	case a.dataView != nil && t.Kind() == reflect.Map && a.vm.InstanceOf(o, a.dataView):
		return js.Bytes(a.vm, o)
	}
	return nil, false
}

// usv converts v to a USVString (lone surrogates become U+FFFD); Symbols
// throw a TypeError.
func usv(vm *goja.Runtime, v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		js.TypeError(vm, "Cannot convert a Symbol value to a string")
	}
	return v.String()
}

// toLongLong is WebIDL's conversion to long long without [EnforceRange]: NaN
// and infinities become 0, other values are truncated and wrapped modulo 2^64.
func toLongLong(v goja.Value) int64 {
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.Trunc(f)
	if f >= -(1<<63) && f < 1<<63 {
		return int64(f)
	}
	f = math.Mod(f, 1<<64)
	if f < 0 {
		f += 1 << 64
	}
	return int64(uint64(f))
}
