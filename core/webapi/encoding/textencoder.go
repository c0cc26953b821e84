package encoding

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// textEncoder is the (stateless) Go side of a TextEncoder.
type textEncoder struct{ js.Expando }

var bytesType = reflect.TypeOf([]byte(nil))

func (a *api) constructEncoder(call goja.FunctionCall) goja.Value {
	return a.wrap(&textEncoder{}, call.Argument(0), a.encoderProto)
}

func (a *api) installEncoder() {
	vm := a.vm
	proto := a.encoderProto
	this := func(call goja.FunctionCall) {
		if _, ok := js.Unwrap[*textEncoder](call.This); !ok {
			js.TypeError(vm, "Illegal invocation")
		}
	}
	js.Attribute(vm, proto, "encoding", func(call goja.FunctionCall) goja.Value {
		this(call)
		return vm.ToValue("utf-8")
	}, nil)
	js.Operation(vm, proto, "encode", 0, func(call goja.FunctionCall) goja.Value {
		this(call)
		in := call.Argument(0)
		if goja.IsUndefined(in) {
			return js.NewUint8Array(vm, []byte{})
		}
		return js.NewUint8Array(vm, []byte(toString(vm, in)))
	})
	js.Operation(vm, proto, "encodeInto", 2, func(call goja.FunctionCall) goja.Value {
		this(call)
		if len(call.Arguments) < 2 {
			js.TypeError(vm, fmt.Sprintf("Failed to execute 'encodeInto' on 'TextEncoder': 2 arguments required, but only %d present.", len(call.Arguments)))
		}
		src := toString(vm, call.Arguments[0])
		dst, ok := call.Arguments[1].(*goja.Object)
		if !ok || dst.ExportType() != bytesType {
			js.TypeError(vm, "Failed to execute 'encodeInto' on 'TextEncoder': parameter 2 is not of type 'Uint8Array'.")
		}
		read, written := encodeInto(dst.Export().([]byte), src)
		res := vm.NewObject()
		_ = res.Set("read", read)
		_ = res.Set("written", written)
		return res
	})
	js.ToStringTag(vm, proto, "TextEncoder")
}

// encodeInto copies the UTF-8 encoding of src (a USVString, so valid UTF-8)
// into dst, stopping before the first character that does not fit whole. read
// counts the UTF-16 code units consumed, as JS sees them: two for a character
// outside the BMP, one otherwise.
func encodeInto(dst []byte, src string) (read, written int) {
	i := 0
	for i < len(src) && i < len(dst) && src[i] < utf8.RuneSelf {
		dst[i] = src[i]
		i++
	}
	read, written = i, i
	for _, r := range src[i:] {
		n := utf8.RuneLen(r)
		if written+n > len(dst) {
			break
		}
		utf8.EncodeRune(dst[written:], r)
		written += n
		read++
		if r >= 0x10000 {
			read++
		}
	}
	return read, written
}
