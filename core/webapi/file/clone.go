package file

import (
	"encoding/binary"
	"errors"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// Blob and File are serializable (HTML's structured clone): structuredClone,
// postMessage and the stored byte form copy them. A clone within one process
// would not need the bytes copied — Blobs are immutable — but the byte form
// must carry them, so both go through the same encoding:
//
//	version(=1) isFile(0|1) uvarint(lastModified) string type string name bytes data
//
// where string and bytes are uvarint(n) + n bytes.

var apiKey = goja.NewSymbol("ferry.file")

func apiOf(vm *goja.Runtime) *API {
	a, _ := events.InternalSymbol(vm.GlobalObject(), apiKey).(*API)
	return a
}

var registerOnce sync.Once

func registerClone() {
	registerOnce.Do(func() {
		clone.Register(clone.Type[*Blob]{
			Name:      "Blob",
			Serialize: func(_ *goja.Runtime, b *Blob) ([]byte, error) { return marshalBlob(b), nil },
			Deserialize: func(vm *goja.Runtime, data []byte) (goja.Value, error) {
				a := apiOf(vm)
				if a == nil {
					return nil, errors.New("Blob is not available in this runtime")
				}
				b, err := unmarshalBlob(data)
				if err != nil {
					return nil, err
				}
				return a.Wrap(b), nil
			},
		})
	})
}

func marshalBlob(b *Blob) []byte {
	out := make([]byte, 0, len(b.data)+len(b.typ)+len(b.name)+32)
	out = append(out, 1)
	if b.isFile {
		out = append(out, 1)
	} else {
		out = append(out, 0)
	}
	out = binary.AppendVarint(out, b.lastModified)
	for _, s := range [][]byte{[]byte(b.typ), []byte(b.name), b.data} {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return out
}

var errBadBlob = errors.New("malformed serialized Blob")

func unmarshalBlob(data []byte) (*Blob, error) {
	if len(data) < 2 || data[0] != 1 || data[1] > 1 {
		return nil, errBadBlob
	}
	b := &Blob{isFile: data[1] == 1}
	rest := data[2:]
	lm, n := binary.Varint(rest)
	if n <= 0 {
		return nil, errBadBlob
	}
	b.lastModified, rest = lm, rest[n:]
	var parts [3][]byte
	for i := range parts {
		l, n := binary.Uvarint(rest)
		if n <= 0 || uint64(len(rest)-n) < l {
			return nil, errBadBlob
		}
		parts[i], rest = rest[n:n+int(l)], rest[n+int(l):]
	}
	if len(rest) != 0 {
		return nil, errBadBlob
	}
	b.typ, b.name = string(parts[0]), string(parts[1])
	b.data = append([]byte(nil), parts[2]...)
	return b, nil
}
