// Package clone implements the HTML structured clone algorithm in Go:
// structuredClone(value, {transfer}), the in-memory form postMessage uses
// (Prepare / Message.Receive), and a byte form for values that are stored or
// sent between processes (Serialize / Deserialize: queues with contentType
// "v8", Durable Object storage).
//
// Supported: primitives (with BigInt), Boolean/Number/String/BigInt objects,
// Date, RegExp, ArrayBuffer, every typed array, DataView, Map, Set, Error and
// its native subclasses (name, message, stack, cause), DOMException, plain
// objects and arrays (holes and extra properties kept), with cycles and shared
// references preserved. Functions, symbols, WeakMap/WeakSet, Promise, Proxy
// and platform objects nobody registered throw a DataCloneError DOMException.
// Go-backed types (Blob, File, CryptoKey...) opt in with Register, and
// transferable ones (MessagePort) with RegisterTransferable. ArrayBuffers in
// the transfer list move without a copy and are detached.
//
// # Format
//
// Serialize writes a compact self-describing format:
//
//	message  = 0xFF 'F' version(=1) value
//	value    = tag payload
//
// Integers are unsigned LEB128 varints (uvarint) unless noted; float64 is 8
// bytes little-endian; a string is 'S' uvarint(n) + n ASCII bytes, or 'U'
// uvarint(n) + n UTF-16 code units little-endian (lone surrogates survive);
// a key is uvarint(n) + n UTF-8 bytes.
//
//	'_' undefined   '0' null   'T' true   'F' false
//	'I' integer: zigzag varint (|n| < 2^53, not -0)
//	'N' number: float64
//	'S' / 'U' string
//	'Z' BigInt: byte sign (0 or 1 = negative), uvarint(n), n bytes of magnitude, big-endian
//
// Objects take the next id (0, 1, 2...) when their tag is read, so later
// occurrences are written as a back reference:
//
//	'r' back reference: uvarint(id)
//	'o' object: uvarint(n), n × (key, value)
//	'a' dense array: uvarint(length), length × value, uvarint(n), n × (key, value) for other properties
//	's' sparse array: uvarint(length), uvarint(n), n × (key, value)
//	'D' Date: float64 time value
//	'R' RegExp: string source, string flags
//	'b' Boolean object: byte 0/1    'n' Number object: float64
//	'q' String object: string       'z' BigInt object: as 'Z'
//	'M' Map: uvarint(n), n × (key value, value)
//	'E' Set: uvarint(n), n × value
//	'B' ArrayBuffer: uvarint(n), n bytes
//	'V' view: byte kind (1 Int8, 2 Uint8, 3 Uint8Clamped, 4 Int16, 5 Uint16, 6 Int32, 7 Uint32,
//	    8 Float32, 9 Float64, 10 BigInt64, 11 BigUint64, 12 DataView), uvarint(byteOffset),
//	    uvarint(length in elements, or bytes for a DataView), value (its ArrayBuffer)
//	'e' Error: string name, byte fields (1 message, 2 stack, 4 cause), then the message
//	    string, the stack string and the cause value that fields name
//	'x' DOMException: string name, string message, string stack
//	'H' registered Go type: key type name, uvarint(n), n bytes from its Serialize
//
// The in-memory form (Prepare) adds two tags that refer to Go values
// carried beside the bytes, never written by Serialize:
//
//	'X' ArrayBuffer copy: uvarint(index)
//	't' transferred object: uvarint(index into the transfer list)
//
// Invariant: everything here runs on the loop goroutine that owns the runtime.
package clone

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

const (
	magic0  = 0xFF
	magic1  = 'F'
	version = 1
)

// Install defines structuredClone on vm's global object. It captures the
// built-ins the algorithm needs now, before scripts can replace them.
func Install(vm *goja.Runtime) {
	realmOf(vm)
	js.Operation(vm, vm.GlobalObject(), "structuredClone", 1, func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) < 1 {
			panic(vm.NewTypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present."))
		}
		var transfer []goja.Value
		if opts := call.Argument(1); !goja.IsUndefined(opts) && !goja.IsNull(opts) {
			o, ok := opts.(*goja.Object)
			if !ok {
				panic(vm.NewTypeError("Failed to execute 'structuredClone': The provided value is not of type 'StructuredSerializeOptions'."))
			}
			transfer = TransferList(vm, o.Get("transfer"), "structuredClone")
		}
		v, err := Clone(vm, call.Argument(0), transfer)
		if err != nil {
			panic(err)
		}
		return v
	})
}

// TransferList converts the transfer member of StructuredSerializeOptions
// (a sequence<object>; undefined is empty). op names the operation in errors.
func TransferList(vm *goja.Runtime, v goja.Value, op string) []goja.Value {
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	if _, ok := v.(*goja.Object); !ok {
		panic(vm.NewTypeError("Failed to execute '" + op + "': The provided value cannot be converted to a sequence."))
	}
	var list []goja.Value
	vm.ForOf(v, func(item goja.Value) bool {
		if _, ok := item.(*goja.Object); !ok {
			panic(vm.NewTypeError("Failed to execute '" + op + "': Value at index " + itoa(len(list)) + " is not an object."))
		}
		list = append(list, item)
		return true
	})
	return list
}

// Clone is structuredClone: it serializes v in memory, moving the objects in
// transfer, and deserializes the copy. A DataCloneError (or an exception a
// getter threw) comes back as a *goja.Exception.
func Clone(vm *goja.Runtime, v goja.Value, transfer []goja.Value) (goja.Value, error) {
	m, err := Prepare(vm, v, transfer)
	if err != nil {
		return nil, err
	}
	return m.Receive(vm)
}

// Message is a value serialized in memory, for delivery later in the same
// process (postMessage): the bytes, plus buffer copies and transferred objects
// carried by reference. Receive it once.
type Message struct {
	data      []byte
	buffers   [][]byte
	transfers []transferred
}

type transferred struct {
	buffer []byte // a transferred ArrayBuffer's bytes, or
	t      *transferType
	v      any // what a registered transferable's Transfer returned
}

// Prepare serializes v with the transfer list: the HTML standard's
// StructuredSerializeWithTransfer. After it succeeds, the ArrayBuffers in
// transfer are detached and registered transferables have run Transfer.
func Prepare(vm *goja.Runtime, v goja.Value, transfer []goja.Value) (*Message, error) {
	e := newEncoder(vm, true)
	var m *Message
	err := e.run(func() {
		e.prepareTransfer(transfer)
		e.header()
		e.value(v)
		m = &Message{data: e.buf, buffers: e.buffers}
		m.transfers = e.finishTransfer()
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Receive deserializes the message in vm.
func (m *Message) Receive(vm *goja.Runtime) (goja.Value, error) {
	v, _, err := m.ReceiveWithTransfer(vm)
	return v, err
}

// ReceiveWithTransfer deserializes the message in vm and also returns the
// objects created for the transfer list, in its order (postMessage exposes
// the MessagePorts among them as event.ports, whether or not the value refers
// to them).
func (m *Message) ReceiveWithTransfer(vm *goja.Runtime) (goja.Value, []goja.Value, error) {
	d := newDecoder(vm, m.data, m)
	v, err := d.run()
	if err != nil {
		return nil, nil, err
	}
	return v, d.received, nil
}

// Serialize encodes v in the byte format above, for storage (the standard's
// forStorage). Errors are as for Clone.
func Serialize(vm *goja.Runtime, v goja.Value) ([]byte, error) {
	e := newEncoder(vm, false)
	err := e.run(func() {
		e.header()
		e.value(v)
	})
	if err != nil {
		return nil, err
	}
	return e.buf, nil
}

// ErrCorrupt is wrapped by Deserialize's errors for bytes that are not a
// message in this format.
var ErrCorrupt = errors.New("clone: corrupt serialized value")

// Deserialize decodes bytes from Serialize into a new value in vm.
func Deserialize(vm *goja.Runtime, b []byte) (goja.Value, error) {
	d := newDecoder(vm, b, nil)
	return d.run()
}
