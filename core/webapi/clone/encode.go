package clone

import (
	"encoding/binary"
	"math"
	"math/big"
	"reflect"
	"strconv"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// maxDepth bounds nesting, as V8's stack does, so a deep chain fails with an
// error instead of exhausting the goroutine's stack.
const maxDepth = 20000

var (
	typeMap        = reflect.TypeOf(map[string]any{})
	typeMapPairs   = reflect.TypeOf([][2]any{})
	typeSlice      = reflect.TypeOf([]any{})
	typeBuffer     = reflect.TypeOf(goja.ArrayBuffer{})
	typeBigInt     = reflect.TypeOf((*big.Int)(nil))
	typeString     = reflect.TypeOf("")
	typeViewSlices = map[reflect.Type]bool{
		reflect.TypeOf([]int8{}): true, reflect.TypeOf([]uint8{}): true, reflect.TypeOf([]int16{}): true,
		reflect.TypeOf([]uint16{}): true, reflect.TypeOf([]int32{}): true, reflect.TypeOf([]uint32{}): true,
		reflect.TypeOf([]float32{}): true, reflect.TypeOf([]float64{}): true, reflect.TypeOf([]int64{}): true,
		reflect.TypeOf([]uint64{}): true,
	}
)

type encoder struct {
	vm       *goja.Runtime
	r        *realm
	buf      []byte
	inMemory bool
	ids      map[*goja.Object]uint32
	nextID   uint32
	depth    int

	buffers [][]byte // in memory: ArrayBuffer copies ('X')

	// Transfer list, in order, and the index of each object in it.
	transfer    []*goja.Object
	transferIdx map[*goja.Object]int
}

func newEncoder(vm *goja.Runtime, inMemory bool) *encoder {
	return &encoder{vm: vm, r: realmOf(vm), inMemory: inMemory, ids: map[*goja.Object]uint32{}}
}

// run runs f, turning a thrown DataCloneError, or an exception a getter
// threw, into a returned *goja.Exception. Interrupts still unwind.
func (e *encoder) run(f func()) error {
	if ex := e.vm.Try(f); ex != nil {
		return ex
	}
	return nil
}

func (e *encoder) fail(msg string) {
	panic(js.NewDOMException(e.vm, "DataCloneError", msg))
}

func (e *encoder) header() { e.buf = append(e.buf, magic0, magic1, version) }

func (e *encoder) byte(b byte)      { e.buf = append(e.buf, b) }
func (e *encoder) uvarint(n uint64) { e.buf = binary.AppendUvarint(e.buf, n) }
func (e *encoder) float(f float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
}

func (e *encoder) key(k string) {
	e.uvarint(uint64(len(k)))
	e.buf = append(e.buf, k...)
}

// string writes a JS string: ASCII as bytes, anything else as UTF-16 units
// (goja's Go conversion would turn lone surrogates into U+FFFD).
func (e *encoder) string(s goja.String) {
	gs := s.String()
	n := s.Length()
	if len(gs) == n {
		e.byte('S')
		e.uvarint(uint64(n))
		e.buf = append(e.buf, gs...)
		return
	}
	e.byte('U')
	e.uvarint(uint64(n))
	for i := 0; i < n; i++ {
		e.buf = binary.LittleEndian.AppendUint16(e.buf, s.CharAt(i))
	}
}

func (e *encoder) stringValue(v goja.Value) {
	if s, ok := v.(goja.String); ok {
		e.string(s)
		return
	}
	e.string(e.vm.ToValue(v.String()).(goja.String))
}

func (e *encoder) bigint(b *big.Int) {
	if b.Sign() < 0 {
		e.byte(1)
	} else {
		e.byte(0)
	}
	mag := b.Bytes()
	e.uvarint(uint64(len(mag)))
	e.buf = append(e.buf, mag...)
}

// prepareTransfer checks the transfer list before serialization, as
// StructuredSerializeWithTransfer does.
func (e *encoder) prepareTransfer(list []goja.Value) {
	if len(list) == 0 {
		return
	}
	e.transferIdx = map[*goja.Object]int{}
	for i, v := range list {
		obj := v.(*goja.Object)
		_, isBuffer := obj.Export().(goja.ArrayBuffer)
		if !isBuffer {
			gv, ok := goValue(obj)
			if !ok || lookupTransfer(gv) == nil {
				e.fail("Value at index " + itoa(i) + " does not have a transferable type.")
			}
		}
		if _, dup := e.transferIdx[obj]; dup {
			kind := "ArrayBuffer"
			if !isBuffer {
				kind = "object"
			}
			e.fail(kind + " at index " + itoa(i) + " is a duplicate of an earlier " + kind + ".")
		}
		e.transferIdx[obj] = len(e.transfer)
		e.transfer = append(e.transfer, obj)
	}
}

// finishTransfer detaches the transferred objects, after serialization
// succeeded.
func (e *encoder) finishTransfer() []transferred {
	if len(e.transfer) == 0 {
		return nil
	}
	out := make([]transferred, len(e.transfer))
	for i, obj := range e.transfer {
		if ab, ok := obj.Export().(goja.ArrayBuffer); ok {
			if ab.Detached() {
				e.fail("ArrayBuffer at index " + itoa(i) + " is already detached.")
			}
			continue
		}
		gv, _ := goValue(obj)
		if t := lookupTransfer(gv); t.detached(gv) {
			e.fail("Object at index " + itoa(i) + " is already detached.")
		}
	}
	for i, obj := range e.transfer {
		if ab, ok := obj.Export().(goja.ArrayBuffer); ok {
			out[i].buffer = ab.Bytes()
			if out[i].buffer == nil {
				out[i].buffer = []byte{}
			}
			js.Detach(ab)
			continue
		}
		gv, _ := goValue(obj)
		t := lookupTransfer(gv)
		data, err := t.transfer(e.vm, gv)
		if err != nil {
			e.fail(err.Error())
		}
		out[i].t, out[i].v = t, data
	}
	return out
}

// value is StructuredSerializeInternal.
func (e *encoder) value(v goja.Value) {
	switch x := v.(type) {
	case nil:
		e.byte('_')
		return
	case *goja.Object:
		e.object(x)
		return
	case *goja.Symbol:
		e.fail("Symbol(" + x.String() + ") could not be cloned.")
	case goja.String:
		e.string(x)
		return
	}
	if goja.IsUndefined(v) {
		e.byte('_')
		return
	}
	if goja.IsNull(v) {
		e.byte('0')
		return
	}
	switch x := v.Export().(type) {
	case bool:
		if x {
			e.byte('T')
		} else {
			e.byte('F')
		}
	case int64:
		if x > -(1<<53) && x < 1<<53 {
			e.byte('I')
			e.buf = binary.AppendVarint(e.buf, x)
		} else {
			e.byte('N')
			e.float(float64(x))
		}
	case float64:
		e.byte('N')
		e.float(x)
	case *big.Int:
		e.byte('Z')
		e.bigint(x)
	default:
		e.fail(v.String() + " could not be cloned.")
	}
}

func (e *encoder) object(obj *goja.Object) {
	if id, ok := e.ids[obj]; ok {
		e.byte('r')
		e.uvarint(uint64(id))
		return
	}
	if i, ok := e.transferIdx[obj]; ok {
		e.newID(obj)
		e.byte('t')
		e.uvarint(uint64(i))
		return
	}
	if _, ok := goja.AssertFunction(obj); ok {
		e.fail(obj.String() + " could not be cloned.")
	}
	e.depth++
	if e.depth > maxDepth {
		e.fail("The object is nested too deeply to be cloned.")
	}
	defer func() { e.depth-- }()

	if gv := events.Internal(obj); gv != nil {
		e.platform(obj, gv)
		return
	}
	switch obj.ClassName() {
	case "Array":
		e.array(obj)
		return
	case "Date":
		e.newID(obj)
		e.byte('D')
		e.float(e.call(e.r.dateGetTime, obj).ToFloat())
		return
	case "RegExp":
		e.newID(obj)
		e.byte('R')
		e.stringValue(e.call(e.r.regexpSource, obj))
		e.stringValue(e.call(e.r.regexpFlag, obj))
		return
	case "Boolean":
		e.newID(obj)
		e.byte('b')
		if e.call(e.r.booleanValueOf, obj).ToBoolean() {
			e.byte(1)
		} else {
			e.byte(0)
		}
		return
	case "Number":
		e.newID(obj)
		e.byte('n')
		e.float(e.call(e.r.numberValueOf, obj).ToFloat())
		return
	case "String":
		e.newID(obj)
		e.byte('q')
		e.stringValue(e.call(e.r.stringValueOf, obj))
		return
	case "Error":
		e.error(obj)
		return
	case "Arguments":
		e.plain(obj)
		return
	}
	switch t := obj.ExportType(); {
	case t == typeMap:
		e.mapLike(obj)
	case t == typeMapPairs:
		e.mapObject(obj)
	case t == typeSlice:
		e.setObject(obj)
	case t == typeBuffer:
		e.arrayBuffer(obj, obj.Export().(goja.ArrayBuffer))
	case t == typeBigInt:
		e.newID(obj)
		e.byte('z')
		e.bigint(obj.Export().(*big.Int))
	case typeViewSlices[t]:
		e.typedArray(obj)
	default:
		if gv, ok := goValue(obj); ok {
			e.platform(obj, gv)
			return
		}
		if t == typeString { // a Symbol object
			e.fail(obj.String() + " could not be cloned.")
		}
		e.fail("#<" + e.className(obj) + "> could not be cloned.")
	}
}

func (e *encoder) newID(obj *goja.Object) {
	e.ids[obj] = e.nextID
	e.nextID++
}

// call runs a captured built-in with this = obj; its exceptions propagate.
func (e *encoder) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := f(this, args...)
	if err != nil {
		panic(err)
	}
	return v
}

// className names obj the way V8's DataCloneError messages do.
func (e *encoder) className(obj *goja.Object) string {
	var name string
	_ = e.vm.Try(func() {
		if tag, ok := obj.GetSymbol(goja.SymToStringTag).(goja.String); ok {
			name = tag.String()
			return
		}
		if c, ok := obj.Get("constructor").(*goja.Object); ok {
			if n, ok := c.Get("name").(goja.String); ok {
				name = n.String()
			}
		}
	})
	if name == "" {
		name = "Object"
	}
	return name
}

// mapLike handles objects goja exports as maps: ordinary objects, but also
// WeakMap, WeakSet and DataView, told apart by their prototype chain and a
// brand check.
func (e *encoder) mapLike(obj *goja.Object) {
	p := obj.Prototype()
	if p == nil || p == e.r.objectProto {
		e.plain(obj)
		return
	}
	for q := p; q != nil && q != e.r.objectProto; q = q.Prototype() {
		switch q {
		case e.r.dataViewProto:
			if e.brand(e.r.dataViewLength, obj) {
				e.view(obj, viewDataView)
				return
			}
		case e.r.weakMapProto:
			if e.brand(e.r.weakMapHas, obj, e.vm.NewObject()) {
				e.fail("#<WeakMap> could not be cloned.")
			}
		case e.r.weakSetProto:
			if e.brand(e.r.weakSetHas, obj, e.vm.NewObject()) {
				e.fail("#<WeakSet> could not be cloned.")
			}
		}
	}
	e.plain(obj)
}

// brand reports whether calling f on obj succeeds.
func (e *encoder) brand(f goja.Callable, obj *goja.Object, args ...goja.Value) bool {
	_, err := f(obj, args...)
	return err == nil
}

// plain writes an ordinary object's own enumerable string-keyed properties.
func (e *encoder) plain(obj *goja.Object) {
	e.newID(obj)
	e.byte('o')
	keys := obj.Keys()
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.key(k)
		e.value(obj.Get(k))
	}
}

func (e *encoder) array(obj *goja.Object) {
	e.newID(obj)
	length := obj.Get("length").ToInteger()
	keys := obj.Keys()
	dense := int64(len(keys)) >= length
	var scratch [20]byte
	for i := int64(0); dense && i < length; i++ {
		if keys[i] != string(strconv.AppendInt(scratch[:0], i, 10)) {
			dense = false
		}
	}
	if dense {
		e.byte('a')
		e.uvarint(uint64(length))
		for i := int64(0); i < length; i++ {
			e.value(obj.Get(keys[i]))
		}
		rest := keys[length:]
		e.uvarint(uint64(len(rest)))
		for _, k := range rest {
			e.key(k)
			e.value(obj.Get(k))
		}
		return
	}
	e.byte('s')
	e.uvarint(uint64(length))
	e.uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.key(k)
		e.value(obj.Get(k))
	}
}

// mapObject copies the entries first, then writes them (getters run while
// writing may change the Map, as the standard's copied list allows).
func (e *encoder) mapObject(obj *goja.Object) {
	e.newID(obj)
	e.byte('M')
	var entries []goja.Value
	e.call(e.r.mapForEach, obj, e.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		entries = append(entries, c.Argument(1), c.Argument(0))
		return goja.Undefined()
	}))
	e.uvarint(uint64(len(entries) / 2))
	for _, v := range entries {
		e.value(v)
	}
}

func (e *encoder) setObject(obj *goja.Object) {
	var entries []goja.Value
	if _, err := e.r.setForEach(obj, e.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		entries = append(entries, c.Argument(0))
		return goja.Undefined()
	})); err != nil {
		// Not a Set: some other object goja exports as a slice.
		e.fail("#<" + e.className(obj) + "> could not be cloned.")
	}
	e.newID(obj)
	e.byte('E')
	e.uvarint(uint64(len(entries)))
	for _, v := range entries {
		e.value(v)
	}
}

func (e *encoder) arrayBuffer(obj *goja.Object, ab goja.ArrayBuffer) {
	if ab.Detached() {
		e.fail("An ArrayBuffer is detached and could not be cloned.")
	}
	e.newID(obj)
	b := ab.Bytes()
	if e.inMemory {
		e.byte('X')
		e.uvarint(uint64(len(e.buffers)))
		e.buffers = append(e.buffers, append([]byte(nil), b...))
		return
	}
	e.byte('B')
	e.uvarint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

func (e *encoder) typedArray(obj *goja.Object) {
	tag, err := e.r.typedArrayTag(obj)
	kind := byte(0)
	if err == nil {
		if s, ok := tag.(goja.String); ok {
			kind = e.r.viewKinds[s.String()]
		}
	}
	if kind == 0 || kind == viewDataView {
		if gv, ok := goValue(obj); ok {
			e.platform(obj, gv)
			return
		}
		e.fail("#<" + e.className(obj) + "> could not be cloned.")
	}
	e.view(obj, kind)
}

// view writes a typed array or DataView, then its buffer.
func (e *encoder) view(obj *goja.Object, kind byte) {
	var buffer, offset, length goja.Value
	if kind == viewDataView {
		buffer = e.call(e.r.dataViewBuffer, obj)
		offset = e.call(e.r.dataViewOffset, obj)
		length = e.call(e.r.dataViewLength, obj)
	} else {
		buffer = e.call(e.r.typedArrayBuffer, obj)
		offset = e.call(e.r.typedArrayOffset, obj)
		length = e.call(e.r.typedArrayLen, obj)
	}
	bufObj := buffer.(*goja.Object)
	if ab, ok := bufObj.Export().(goja.ArrayBuffer); ok && ab.Detached() {
		e.fail("An ArrayBuffer is detached and could not be cloned.")
	}
	e.newID(obj)
	e.byte('V')
	e.byte(kind)
	e.uvarint(uint64(offset.ToInteger()))
	e.uvarint(uint64(length.ToInteger()))
	e.value(bufObj)
}

// error writes an Error: the standard's name and message, plus V8's stack and
// cause.
func (e *encoder) error(obj *goja.Object) {
	e.newID(obj)
	name := "Error"
	if n, ok := obj.Get("name").(goja.String); ok {
		for _, known := range errorNames {
			if n.String() == known {
				name = known
			}
		}
	}
	message, hasMessage := e.ownData(obj, "message")
	if hasMessage {
		message = e.vm.ToValue(message.String())
	}
	var stack goja.Value
	hasStack := false
	if s, ok := obj.Get("stack").(goja.String); ok {
		stack, hasStack = s, true
	}
	cause, hasCause := e.ownData(obj, "cause")

	e.byte('e')
	e.string(e.vm.ToValue(name).(goja.String))
	var fields byte
	if hasMessage {
		fields |= 1
	}
	if hasStack {
		fields |= 2
	}
	if hasCause {
		fields |= 4
	}
	e.byte(fields)
	if hasMessage {
		e.stringValue(message)
	}
	if hasStack {
		e.stringValue(stack)
	}
	if hasCause {
		e.value(cause)
	}
}

// ownData returns the value of obj's own data property name.
func (e *encoder) ownData(obj *goja.Object, name string) (goja.Value, bool) {
	d := e.call(e.r.getOwnPropertyDescriptor, goja.Undefined(), obj, e.vm.ToValue(name))
	desc, ok := d.(*goja.Object)
	if !ok || desc.Get("writable") == nil { // absent, or an accessor
		return nil, false
	}
	return desc.Get("value"), true
}

// platform writes an object with Go state: a DOMException, a registered type,
// or fails as workerd does for the rest.
func (e *encoder) platform(obj *goja.Object, gv any) {
	if name, message, ok := events.DOMExceptionOf(obj); ok {
		e.newID(obj)
		e.byte('x')
		e.stringValue(name)
		e.stringValue(message)
		stack := ""
		if s, ok := obj.Get("stack").(goja.String); ok {
			stack = s.String()
		}
		e.string(e.vm.ToValue(stack).(goja.String))
		return
	}
	if h := lookupHost(gv); h != nil {
		data, err := h.serialize(e.vm, gv)
		if err != nil {
			e.fail(err.Error())
		}
		e.newID(obj)
		e.byte('H')
		e.key(h.name)
		e.uvarint(uint64(len(data)))
		e.buf = append(e.buf, data...)
		return
	}
	e.fail(`Could not serialize object of type "` + e.className(obj) + `". This type does not support serialization.`)
}
