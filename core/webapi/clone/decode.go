package clone

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

type decoder struct {
	vm    *goja.Runtime
	r     *realm
	b     []byte
	pos   int
	objs  []goja.Value
	msg   *Message // in-memory side data, nil for Deserialize
	depth int
	// Transferred objects are created once each, in transfer-list order.
	received []goja.Value
}

// corrupt is the panic value for malformed input.
type corrupt struct{ msg string }

func newDecoder(vm *goja.Runtime, b []byte, msg *Message) *decoder {
	return &decoder{vm: vm, r: realmOf(vm), b: b, msg: msg}
}

func (d *decoder) run() (v goja.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(corrupt)
			if !ok {
				panic(r)
			}
			v, err = nil, fmt.Errorf("%w: %s at byte %d", ErrCorrupt, c.msg, d.pos)
		}
	}()
	if len(d.b) < 3 || d.b[0] != magic0 || d.b[1] != magic1 {
		panic(corrupt{"no header"})
	}
	if d.b[2] != version {
		panic(corrupt{fmt.Sprintf("version %d", d.b[2])})
	}
	d.pos = 3
	ex := d.vm.Try(func() {
		if d.msg != nil && len(d.msg.transfers) > 0 {
			// Every transferred object exists on the receiving side, referenced
			// by the value or not.
			d.received = make([]goja.Value, len(d.msg.transfers))
			for i := range d.received {
				d.received[i] = d.receive(i)
			}
		}
		v = d.value()
		if d.pos != len(d.b) {
			panic(corrupt{"trailing bytes"})
		}
	})
	if ex != nil {
		return nil, ex
	}
	return v, nil
}

func (d *decoder) fail(msg string) { panic(corrupt{msg}) }

func (d *decoder) byte() byte {
	if d.pos >= len(d.b) {
		d.fail("unexpected end")
	}
	c := d.b[d.pos]
	d.pos++
	return c
}

func (d *decoder) uvarint() uint64 {
	n, k := binary.Uvarint(d.b[d.pos:])
	if k <= 0 {
		d.fail("bad varint")
	}
	d.pos += k
	return n
}

// count reads a length and checks that at least min bytes per item remain.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if min > 0 && n > uint64(len(d.b)-d.pos)/uint64(min) || n > math.MaxInt32 {
		d.fail("length out of range")
	}
	return int(n)
}

func (d *decoder) bytes(n int) []byte {
	if n < 0 || n > len(d.b)-d.pos {
		d.fail("length out of range")
	}
	b := d.b[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d.bytes(8)))
}

func (d *decoder) key() string { return string(d.bytes(d.count(1))) }

// string reads a string (its tag included).
func (d *decoder) string() goja.Value {
	switch d.byte() {
	case 'S':
		return d.vm.ToValue(string(d.bytes(d.count(1))))
	case 'U':
		n := d.count(2)
		raw := d.bytes(2 * n)
		u := make([]uint16, n)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		return goja.StringFromUTF16(u)
	}
	d.pos--
	d.fail("expected a string")
	return nil
}

func (d *decoder) bigint() *big.Int {
	neg := d.byte()
	b := new(big.Int).SetBytes(d.bytes(d.count(1)))
	if neg == 1 {
		b.Neg(b)
	}
	return b
}

// reserve takes the next object id; set fills it once the object exists.
func (d *decoder) reserve() int {
	d.objs = append(d.objs, nil)
	return len(d.objs) - 1
}

func (d *decoder) set(id int, v goja.Value) goja.Value {
	d.objs[id] = v
	return v
}

func (d *decoder) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := f(this, args...)
	if err != nil {
		panic(err)
	}
	return v
}

func (d *decoder) construct(c goja.Constructor, args ...goja.Value) *goja.Object {
	o, err := c(nil, args...)
	if err != nil {
		panic(err)
	}
	return o
}

func (d *decoder) define(obj *goja.Object, key string, v goja.Value) {
	if err := obj.DefineDataProperty(key, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
		panic(err)
	}
}

func (d *decoder) value() goja.Value {
	vm := d.vm
	tag := d.byte()
	switch tag {
	case '_':
		return goja.Undefined()
	case '0':
		return goja.Null()
	case 'T':
		return vm.ToValue(true)
	case 'F':
		return vm.ToValue(false)
	case 'I':
		n, k := binary.Varint(d.b[d.pos:])
		if k <= 0 {
			d.fail("bad varint")
		}
		d.pos += k
		return vm.ToValue(n)
	case 'N':
		return vm.ToValue(d.float())
	case 'S', 'U':
		d.pos--
		return d.string()
	case 'Z':
		return vm.ToValue(d.bigint())
	case 'r':
		id := d.uvarint()
		if id >= uint64(len(d.objs)) || d.objs[id] == nil {
			d.fail("bad back reference")
		}
		return d.objs[id]
	}

	d.depth++
	if d.depth > maxDepth {
		d.fail("nested too deeply")
	}
	defer func() { d.depth-- }()
	id := d.reserve()
	switch tag {
	case 'o':
		obj := vm.NewObject()
		d.set(id, obj)
		n := d.count(2)
		for i := 0; i < n; i++ {
			k := d.key()
			d.define(obj, k, d.value())
		}
		return obj
	case 'a':
		arr := vm.NewArray()
		d.set(id, arr)
		n := d.count(1)
		vals := make([]goja.Value, n)
		for i := range vals {
			vals[i] = d.value()
		}
		if n > 0 {
			d.call(d.r.arrayPush, arr, vals...)
		}
		for i, m := 0, d.count(2); i < m; i++ {
			k := d.key()
			d.define(arr, k, d.value())
		}
		return arr
	case 's':
		arr := vm.NewArray()
		d.set(id, arr)
		length := d.uvarint()
		if length > math.MaxUint32 {
			d.fail("array length out of range")
		}
		if err := arr.Set("length", length); err != nil {
			panic(err)
		}
		for i, m := 0, d.count(2); i < m; i++ {
			k := d.key()
			d.define(arr, k, d.value())
		}
		return arr
	case 'D':
		return d.set(id, d.construct(d.r.dateCtor, vm.ToValue(d.float())))
	case 'R':
		src, flags := d.string(), d.string()
		return d.set(id, d.construct(d.r.regexpCtor, src, flags))
	case 'b':
		return d.set(id, vm.ToValue(d.byte() == 1).ToObject(vm))
	case 'n':
		return d.set(id, vm.ToValue(d.float()).ToObject(vm))
	case 'q':
		return d.set(id, d.string().ToObject(vm))
	case 'z':
		return d.set(id, vm.ToValue(d.bigint()).ToObject(vm))
	case 'M':
		m := d.construct(d.r.mapCtor)
		d.set(id, m)
		for i, n := 0, d.count(2); i < n; i++ {
			k := d.value()
			v := d.value()
			d.call(d.r.mapSet, m, k, v)
		}
		return m
	case 'E':
		s := d.construct(d.r.setCtor)
		d.set(id, s)
		for i, n := 0, d.count(1); i < n; i++ {
			d.call(d.r.setAdd, s, d.value())
		}
		return s
	case 'B':
		b := append([]byte(nil), d.bytes(d.count(0))...)
		return d.set(id, vm.ToValue(vm.NewArrayBuffer(b)))
	case 'X':
		if d.msg == nil {
			d.fail("in-memory buffer in stored bytes")
		}
		i := d.uvarint()
		if i >= uint64(len(d.msg.buffers)) {
			d.fail("bad buffer index")
		}
		return d.set(id, vm.ToValue(vm.NewArrayBuffer(d.msg.buffers[i])))
	case 't':
		return d.set(id, d.transferred())
	case 'V':
		return d.set(id, d.view())
	case 'e':
		return d.error(id)
	case 'x':
		name, message, stack := d.string(), d.string(), d.string()
		e := js.NewDOMException(vm, name.String(), message.String())
		d.set(id, e)
		if stack.String() != "" {
			_ = e.DefineDataProperty("stack", stack, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		return e
	case 'H':
		name := d.key()
		data := d.bytes(d.count(0))
		h := lookupHostName(name)
		if h == nil {
			panic(js.NewDOMException(vm, "DataCloneError", "Cannot deserialize an object of type \""+name+"\" here."))
		}
		v, err := h.deserialize(vm, append([]byte(nil), data...))
		if err != nil {
			panic(js.NewDOMException(vm, "DataCloneError", err.Error()))
		}
		return d.set(id, v)
	}
	d.pos--
	d.fail(fmt.Sprintf("unknown tag %q", tag))
	return nil
}

func (d *decoder) transferred() goja.Value {
	if d.msg == nil {
		d.fail("transferred object in stored bytes")
	}
	i := d.uvarint()
	if i >= uint64(len(d.msg.transfers)) {
		d.fail("bad transfer index")
	}
	return d.received[i]
}

// receive creates the object for transfer-list entry i.
func (d *decoder) receive(i int) goja.Value {
	t := d.msg.transfers[i]
	var v goja.Value
	if t.t == nil {
		v = d.vm.ToValue(d.vm.NewArrayBuffer(t.buffer))
	} else {
		var err error
		if v, err = t.t.receive(d.vm, t.v); err != nil {
			panic(js.NewDOMException(d.vm, "DataCloneError", err.Error()))
		}
	}
	return v
}

func (d *decoder) view() goja.Value {
	kind := d.byte()
	if kind < viewInt8 || kind > viewDataView {
		d.fail("bad view kind")
	}
	offset, length := d.uvarint(), d.uvarint()
	buf, ok := d.value().(*goja.Object)
	if !ok {
		d.fail("view without a buffer")
	}
	ab, ok := buf.Export().(goja.ArrayBuffer)
	if !ok {
		d.fail("view without a buffer")
	}
	size := uint64(1)
	switch kind {
	case viewInt16, viewUint16:
		size = 2
	case viewInt32, viewUint32, viewFloat32:
		size = 4
	case viewFloat64, viewBigInt64, viewBigUint64:
		size = 8
	}
	if offset > uint64(len(ab.Bytes())) || length > (uint64(len(ab.Bytes()))-offset)/size || offset%size != 0 {
		d.fail("view out of its buffer's bounds")
	}
	return d.construct(d.r.viewCtors[kind], buf, d.vm.ToValue(offset), d.vm.ToValue(length))
}

func (d *decoder) error(id int) goja.Value {
	name := d.string().String()
	fields := d.byte()
	ctor, ok := d.r.errorCtors[name]
	if !ok {
		ctor = d.r.errorCtors["Error"]
	}
	obj := d.construct(ctor)
	d.set(id, obj)
	hidden := func(k string, v goja.Value) {
		if err := obj.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			panic(err)
		}
	}
	if fields&1 != 0 {
		hidden("message", d.string())
	}
	if fields&2 != 0 {
		hidden("stack", d.string())
	}
	if fields&4 != 0 {
		hidden("cause", d.value())
	}
	return obj
}
