package encoding

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// The InvalidCharacterError messages Workers (V8) use.
const (
	errAtob = "atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric ASCII, " +
		"and up to two terminal '=' signs when the input data length is divisible by 4 are allowed.)"
	errBtoa = "btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range."
)

func (a *api) atob(call goja.FunctionCall) goja.Value {
	vm := a.vm
	if len(call.Arguments) == 0 {
		js.TypeError(vm, "Failed to execute 'atob': 1 argument required, but only 0 present.")
	}
	b, ok := forgivingBase64Decode(toString(vm, call.Arguments[0]))
	if !ok {
		js.ThrowDOMException(vm, "InvalidCharacterError", errAtob)
	}
	return latin1String(vm, b)
}

func (a *api) btoa(call goja.FunctionCall) goja.Value {
	vm := a.vm
	if len(call.Arguments) == 0 {
		js.TypeError(vm, "Failed to execute 'btoa': 1 argument required, but only 0 present.")
	}
	s := toString(vm, call.Arguments[0])
	b, ok := latin1Bytes(s)
	if !ok {
		js.ThrowDOMException(vm, "InvalidCharacterError", errBtoa)
	}
	return vm.ToValue(base64.StdEncoding.EncodeToString(b))
}

// forgivingBase64Decode is HTML's forgiving-base64 decode: ASCII whitespace is
// ignored, padding is optional but must be right when present, and leftover
// bits after the last full byte are dropped.
func forgivingBase64Decode(s string) ([]byte, bool) {
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t', '\n', '\f', '\r', ' ':
		default:
			buf = append(buf, c)
		}
	}
	if len(buf)%4 == 0 && len(buf) > 0 && buf[len(buf)-1] == '=' {
		buf = buf[:len(buf)-1]
		if buf[len(buf)-1] == '=' {
			buf = buf[:len(buf)-1]
		}
	}
	if len(buf)%4 == 1 {
		return nil, false
	}
	for _, c := range buf {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	// RawStdEncoding is not strict, so it ignores non-zero leftover bits as
	// the algorithm does; every other input it could reject was ruled out above.
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(buf)))
	n, err := base64.RawStdEncoding.Decode(out, buf)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// latin1Bytes maps each character of s to a byte; ok is false when one is
// above U+00FF.
func latin1Bytes(s string) ([]byte, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r > 0xFF {
			return nil, false
		}
		b = append(b, byte(r))
		i += n
	}
	return b, true
}

// latin1String returns the JS string whose code units are the bytes of b.
func latin1String(vm *goja.Runtime, b []byte) goja.Value {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return vm.ToValue(string(b))
	}
	units := make([]uint16, len(b))
	for i, c := range b {
		units[i] = uint16(c)
	}
	return goja.StringFromUTF16(units)
}
