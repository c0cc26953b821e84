package clone

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/webapi/events"
)

// Type makes a Go-backed platform object serializable: structuredClone,
// postMessage and Serialize accept objects whose Go state is a T (the value
// behind a js.NewClass object, or the state an events.SetInternal object
// holds).
type Type[T any] struct {
	// Name tags the value in the format; unique and stable (it is stored).
	Name string
	// Serialize returns the bytes that stand for v. Version your own layout:
	// stored bytes outlive the code that wrote them.
	Serialize func(vm *goja.Runtime, v T) ([]byte, error)
	// Deserialize builds a new object in vm from those bytes.
	Deserialize func(vm *goja.Runtime, data []byte) (goja.Value, error)
}

// Transferable makes a Go-backed platform object transferable (it may appear
// in a transfer list, as MessagePort does). Transfers happen in memory only.
type Transferable[T any] struct {
	Name string
	// Detached reports whether v was already transferred (transferring it
	// again is a DataCloneError).
	Detached func(v T) bool
	// Transfer runs after serialization succeeded: it detaches v and returns
	// what Receive needs.
	Transfer func(vm *goja.Runtime, v T) (any, error)
	// Receive creates the object on the receiving side.
	Receive func(vm *goja.Runtime, data any) (goja.Value, error)
}

type hostType struct {
	name        string
	serialize   func(vm *goja.Runtime, v any) ([]byte, error)
	deserialize func(vm *goja.Runtime, data []byte) (goja.Value, error)
}

type transferType struct {
	name     string
	detached func(v any) bool
	transfer func(vm *goja.Runtime, v any) (any, error)
	receive  func(vm *goja.Runtime, data any) (goja.Value, error)
}

var registry struct {
	sync.RWMutex
	byType     map[reflect.Type]*hostType
	byName     map[string]*hostType
	transfers  map[reflect.Type]*transferType
	transferNs map[string]reflect.Type
}

// Register adds a serializable Go type. Registering the same type again
// replaces it (families may register from Install, once per runtime); a name
// already taken by another type panics.
func Register[T any](t Type[T]) {
	typ := reflect.TypeFor[T]()
	h := &hostType{
		name:        t.Name,
		serialize:   func(vm *goja.Runtime, v any) ([]byte, error) { return t.Serialize(vm, v.(T)) },
		deserialize: t.Deserialize,
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.byType == nil {
		registry.byType = map[reflect.Type]*hostType{}
		registry.byName = map[string]*hostType{}
	}
	if old := registry.byName[t.Name]; old != nil && registry.byType[typ] != old {
		panic(fmt.Sprintf("clone: type name %q registered twice", t.Name))
	}
	registry.byType[typ] = h
	registry.byName[t.Name] = h
}

// RegisterTransferable adds a transferable Go type; the rules are Register's.
func RegisterTransferable[T any](t Transferable[T]) {
	typ := reflect.TypeFor[T]()
	tt := &transferType{
		name:     t.Name,
		detached: func(v any) bool { return t.Detached(v.(T)) },
		transfer: func(vm *goja.Runtime, v any) (any, error) { return t.Transfer(vm, v.(T)) },
		receive:  t.Receive,
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.transfers == nil {
		registry.transfers = map[reflect.Type]*transferType{}
		registry.transferNs = map[string]reflect.Type{}
	}
	if old, ok := registry.transferNs[t.Name]; ok && old != typ {
		panic(fmt.Sprintf("clone: transferable name %q registered twice", t.Name))
	}
	registry.transfers[typ] = tt
	registry.transferNs[t.Name] = typ
}

func lookupHost(v any) *hostType {
	registry.RLock()
	defer registry.RUnlock()
	return registry.byType[reflect.TypeOf(v)]
}

func lookupHostName(name string) *hostType {
	registry.RLock()
	defer registry.RUnlock()
	return registry.byName[name]
}

func lookupTransfer(v any) *transferType {
	registry.RLock()
	defer registry.RUnlock()
	return registry.transfers[reflect.TypeOf(v)]
}

// goValue returns the Go state behind a platform object: the internal slot of
// an ordinary object, or the value a js.NewClass dynamic object exports.
func goValue(obj *goja.Object) (any, bool) {
	if v := events.Internal(obj); v != nil {
		return v, true
	}
	if t := obj.ExportType(); t != nil && t.Kind() == reflect.Pointer {
		if _, ok := obj.Export().(goja.DynamicObject); ok {
			return obj.Export(), true
		}
	}
	return nil, false
}
