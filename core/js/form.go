package js

import (
	"strings"

	"github.com/dop251/goja"
)

// FormDecode decodes one name or value of application/x-www-form-urlencoded
// data: "+" becomes a space, %XX is percent-decoded, and the bytes are
// decoded as UTF-8 with replacement (URLSearchParams and FormData share it).
func FormDecode(s string) string {
	if strings.IndexByte(s, '+') < 0 && strings.IndexByte(s, '%') < 0 {
		return DecodeUTF8([]byte(s))
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && IsHexDigit(s[i+1]) && IsHexDigit(s[i+2]):
			b = append(b, HexValue(s[i+1])<<4|HexValue(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return DecodeUTF8(b)
}

// IsHexDigit reports whether c is an ASCII hex digit.
func IsHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// HexValue is the value of the hex digit c.
func HexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// IteratorPrototype returns the runtime's %IteratorPrototype% (the prototype
// of %ArrayIteratorPrototype%), for Go-backed iterators that must be
// iterable themselves and pick up iterator helpers.
func IteratorPrototype(vm *goja.Runtime) *goja.Object {
	arr := vm.NewArray()
	values, ok := goja.AssertFunction(arr.GetSymbol(goja.SymIterator))
	if !ok {
		return nil
	}
	it, err := values(arr)
	if err != nil {
		return nil
	}
	if p := it.ToObject(vm).Prototype(); p != nil {
		return p.Prototype()
	}
	return nil
}

// Iterate runs the iteration protocol over obj with its @@iterator method,
// calling each with every value (WebIDL's sequence conversion). Protocol
// violations throw TypeErrors; exceptions from the iterator propagate.
func Iterate(vm *goja.Runtime, obj *goja.Object, method goja.Callable, each func(goja.Value)) {
	itv, err := method(obj)
	if err != nil {
		panic(err)
	}
	it, ok := itv.(*goja.Object)
	if !ok {
		TypeError(vm, "Result of the Symbol.iterator method is not an object")
	}
	next, ok := goja.AssertFunction(it.Get("next"))
	if !ok {
		TypeError(vm, "The iterator's next method is not callable")
	}
	for {
		r, err := next(it)
		if err != nil {
			panic(err)
		}
		ro, ok := r.(*goja.Object)
		if !ok {
			TypeError(vm, "Iterator result is not an object")
		}
		if ro.Get("done").ToBoolean() {
			return
		}
		each(ro.Get("value"))
	}
}
