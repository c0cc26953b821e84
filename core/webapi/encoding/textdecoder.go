package encoding

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	xencoding "golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/ferry-run/ferry/core/js"
)

// decoder is one encoding's streaming decoder. decode turns src into UTF-8,
// holding back the bytes of a sequence src ends in the middle of unless flush
// is set (end of stream), after which the decoder is ready for a new stream.
// With fatal set it reports ok=false at the first malformed sequence instead
// of writing U+FFFD.
type decoder interface {
	decode(src []byte, flush, fatal bool) (out string, ok bool)
	reset()
}

// textDecoder is the Go side of a TextDecoder.
type textDecoder struct {
	js.Expando
	name      string // the encoding's name, as the encoding attribute gives it
	fatal     bool
	ignoreBOM bool
	unicode   bool // UTF-8 or UTF-16: a leading BOM is dropped unless ignoreBOM
	dec       decoder
	// streaming is the standard's "do not flush": the previous decode call
	// passed {stream: true}, so this one continues its stream.
	streaming bool
	bomSeen   bool
}

// errFatal is the TypeError message workerd throws for malformed input in
// fatal mode.
const errFatal = "Failed to decode input."

func (a *api) constructDecoder(call goja.FunctionCall) goja.Value {
	vm := a.vm
	label := "utf-8"
	if v := call.Argument(1); !goja.IsUndefined(v) {
		label = toString(vm, v)
	}
	d := &textDecoder{}
	if !newDecoder(d, label) {
		js.RangeError(vm, `"`+label+`" is not a valid encoding.`)
	}
	switch opts := call.Argument(2).(type) {
	case *goja.Object:
		d.fatal = boolMember(opts, "fatal")
		d.ignoreBOM = boolMember(opts, "ignoreBOM")
	default:
		if !js.IsNullish(opts) {
			js.TypeError(vm, "Failed to construct 'TextDecoder': The provided value is not of type 'TextDecoderOptions'.")
		}
	}
	return a.wrap(d, call.Argument(0), a.decoderProto)
}

// boolMember reads a boolean dictionary member; absent means false.
func boolMember(dict *goja.Object, name string) bool {
	v := dict.Get(name)
	return v != nil && v.ToBoolean()
}

// newDecoder resolves label with the Encoding Standard's "get an encoding"
// (ASCII whitespace trimmed, ASCII case-insensitive) and sets d up for it. It
// returns false for unknown labels and for the replacement encoding, which
// TextDecoder refuses.
func newDecoder(d *textDecoder, label string) bool {
	label = strings.Trim(label, "\t\n\f\r ")
	for i := 0; i < len(label); i++ {
		if label[i] >= utf8.RuneSelf {
			return false // labels are ASCII; Unicode case folding must not turn "\u212A" (Kelvin) into "k"
		}
	}
	label = strings.ToLower(label)
	enc, err := htmlindex.Get(label)
	if err != nil {
		return false
	}
	name, err := htmlindex.Name(enc)
	if err != nil || name == "replacement" {
		return false
	}
	d.name = name
	switch name {
	case "utf-8":
		d.dec, d.unicode = &utf8Decoder{}, true
	case "utf-16le":
		d.dec, d.unicode = &utf16Decoder{}, true
	case "utf-16be":
		d.dec, d.unicode = &utf16Decoder{bigEndian: true}, true
	case "gbk":
		// The standard's GBK decoder is the gb18030 decoder; x/text's GBK
		// rejects four-byte sequences.
		d.dec = newTextDecoder(simplifiedchinese.GB18030)
	default:
		d.dec = newTextDecoder(enc)
	}
	return true
}

func (a *api) installDecoder() {
	vm := a.vm
	proto := a.decoderProto
	this := func(call goja.FunctionCall) *textDecoder {
		d, ok := js.Unwrap[*textDecoder](call.This)
		if !ok {
			js.TypeError(vm, "Illegal invocation")
		}
		return d
	}
	js.Attribute(vm, proto, "encoding", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).name) }, nil)
	js.Attribute(vm, proto, "fatal", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).fatal) }, nil)
	js.Attribute(vm, proto, "ignoreBOM", func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).ignoreBOM) }, nil)
	js.Operation(vm, proto, "decode", 0, func(call goja.FunctionCall) goja.Value {
		d := this(call)
		var src []byte
		if in := call.Argument(0); !goja.IsUndefined(in) {
			b, ok := js.Bytes(vm, in)
			if !ok {
				js.TypeError(vm, "Failed to execute 'decode' on 'TextDecoder': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView'.")
			}
			src = b
		}
		stream := false
		switch opts := call.Argument(1).(type) {
		case *goja.Object:
			stream = boolMember(opts, "stream")
		default:
			if !js.IsNullish(opts) {
				js.TypeError(vm, "Failed to execute 'decode' on 'TextDecoder': The provided value is not of type 'TextDecodeOptions'.")
			}
		}
		out, ok := d.decode(src, stream)
		if !ok {
			js.TypeError(vm, errFatal)
		}
		return vm.ToValue(out)
	})
	js.ToStringTag(vm, proto, "TextDecoder")
}

// decode is TextDecoder.decode: it continues the stream when the previous
// call streamed, decodes src (which aliases JS memory and is not kept), and
// drops a leading BOM.
func (d *textDecoder) decode(src []byte, stream bool) (string, bool) {
	if !d.streaming {
		d.dec.reset()
		d.bomSeen = false
	}
	d.streaming = stream
	out, ok := d.dec.decode(src, !stream, d.fatal)
	if !ok {
		d.dec.reset()
		d.streaming, d.bomSeen = false, false
		return "", false
	}
	if d.unicode && !d.ignoreBOM && !d.bomSeen && out != "" {
		d.bomSeen = true
		out = strings.TrimPrefix(out, "\uFEFF")
	}
	return out, true
}

// utf8Decoder is the Encoding Standard's UTF-8 decoder.
type utf8Decoder struct {
	pending []byte // the start of a sequence the last chunk ended in
}

func (d *utf8Decoder) reset() { d.pending = d.pending[:0] }

func (d *utf8Decoder) decode(src []byte, flush, fatal bool) (string, bool) {
	buf := src
	if len(d.pending) > 0 {
		buf = append(append(make([]byte, 0, len(d.pending)+len(src)), d.pending...), src...)
		d.pending = d.pending[:0]
	}
	if !flush {
		if k := js.UTF8PartialSuffix(buf); k > 0 {
			d.pending = append(d.pending, buf[len(buf)-k:]...)
			buf = buf[:len(buf)-k]
		}
	}
	if fatal && !utf8.Valid(buf) {
		return "", false
	}
	return js.DecodeUTF8(buf), true
}

// utf16Decoder is the Encoding Standard's UTF-16LE or UTF-16BE decoder:
// unpaired surrogates become U+FFFD, as does an odd byte at the end.
type utf16Decoder struct {
	bigEndian   bool
	hasLeadByte bool
	leadByte    byte   // a byte waiting for its pair
	leadSurr    uint16 // 0 when none; a high surrogate waiting for its low half
}

func (d *utf16Decoder) reset() { d.hasLeadByte, d.leadSurr = false, 0 }

func (d *utf16Decoder) decode(src []byte, flush, fatal bool) (string, bool) {
	var sb strings.Builder
	sb.Grow(len(src) + len(src)/2)
	i := 0
	for {
		var unit uint16
		switch {
		case d.hasLeadByte && i < len(src):
			unit = d.unit(d.leadByte, src[i])
			d.hasLeadByte = false
			i++
		case i+1 < len(src):
			unit = d.unit(src[i], src[i+1])
			i += 2
		case i < len(src):
			d.leadByte, d.hasLeadByte = src[i], true
			i++
			continue
		default:
			if flush {
				if d.hasLeadByte || d.leadSurr != 0 {
					d.reset()
					if fatal {
						return "", false
					}
					sb.WriteRune(utf8.RuneError)
				}
				d.reset()
			}
			return sb.String(), true
		}
		if d.leadSurr != 0 {
			lead := d.leadSurr
			d.leadSurr = 0
			if unit >= 0xDC00 && unit <= 0xDFFF {
				sb.WriteRune(0x10000 + (rune(lead)-0xD800)<<10 + rune(unit) - 0xDC00)
				continue
			}
			if fatal {
				return "", false
			}
			sb.WriteRune(utf8.RuneError) // then the unit is processed on its own
		}
		switch {
		case unit >= 0xD800 && unit <= 0xDBFF:
			d.leadSurr = unit
		case unit >= 0xDC00 && unit <= 0xDFFF:
			if fatal {
				return "", false
			}
			sb.WriteRune(utf8.RuneError)
		default:
			sb.WriteRune(rune(unit))
		}
	}
}

func (d *utf16Decoder) unit(b0, b1 byte) uint16 {
	if d.bigEndian {
		return uint16(b0)<<8 | uint16(b1)
	}
	return uint16(b1)<<8 | uint16(b0)
}

// xtextDecoder adapts an x/text decoder, which keeps the state of stateful
// encodings (ISO-2022-JP) between calls and asks for more input when a chunk
// ends inside a sequence.
type xtextDecoder struct {
	t       transform.Transformer
	pending []byte
}

func newTextDecoder(enc xencoding.Encoding) *xtextDecoder {
	return &xtextDecoder{t: enc.NewDecoder()}
}

func (d *xtextDecoder) reset() {
	d.t.Reset()
	d.pending = d.pending[:0]
}

func (d *xtextDecoder) decode(src []byte, flush, fatal bool) (string, bool) {
	buf := src
	if len(d.pending) > 0 {
		buf = append(append(make([]byte, 0, len(d.pending)+len(src)), d.pending...), src...)
		d.pending = d.pending[:0]
	}
	dst := make([]byte, 2*len(buf)+16)
	w, r := 0, 0
	for {
		nDst, nSrc, err := d.t.Transform(dst[w:], buf[r:], flush)
		w += nDst
		r += nSrc
		if errors.Is(err, transform.ErrShortDst) {
			dst = append(dst, make([]byte, len(dst))...)
			continue
		}
		if errors.Is(err, transform.ErrShortSrc) && !flush {
			d.pending = append(d.pending, buf[r:]...)
		}
		break
	}
	if flush {
		d.t.Reset()
	}
	out := string(dst[:w])
	// x/text decoders write U+FFFD for malformed input rather than failing,
	// so fatal mode looks for one. (A few legacy multi-byte encodings map a
	// valid sequence to U+FFFD; fatal mode rejects those too.)
	if fatal && strings.ContainsRune(out, utf8.RuneError) {
		d.reset()
		return "", false
	}
	return out, true
}
