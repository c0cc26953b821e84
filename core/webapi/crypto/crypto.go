// Package crypto implements the Web Crypto API for goja runtimes: the global
// `crypto` (Crypto: getRandomValues, randomUUID, subtle), SubtleCrypto with
// every operation Cloudflare Workers support, and CryptoKey, all in Go on the
// standard library.
//
// Every SubtleCrypto method returns a promise. Cheap work (digests and MACs
// of small inputs, AES over small inputs, key import of secret keys) runs on
// the loop goroutine and settles the promise at once; expensive work (anything
// with RSA or elliptic curves, PBKDF2, inputs over largeInput bytes) runs on
// another goroutine, with its inputs copied first, and settles the promise
// through a callback reserved on the loop, so other requests in the same
// runtime keep running meanwhile.
//
// Invariant: JS values are touched only on the loop goroutine; operations
// that leave it see only Go values (*Key, byte slices, *params).
//
// CryptoKey state is a *Key, immutable and shareable: KeyOf gets it from a JS
// value and API.NewKey makes a CryptoKey for it in a runtime. CryptoKeys are
// registered with core/webapi/clone, so structuredClone and postMessage copy
// them (clone.go has the byte layout).
package crypto

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"hash"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/events"
)

// API is the crypto family installed on one runtime.
type API struct {
	vm          *goja.Runtime
	loop        *loop.Loop
	keyClass    *js.Class
	cryptoProto *goja.Object // Crypto.prototype, where DigestStream goes
	arrayFrom   goja.Callable
	// The runtime's one crypto and crypto.subtle objects: brand checks
	// compare this first (a pointer compare) before unwrapping.
	cryptoObj, subtleObj *goja.Object
}

// cryptoKey is the Go value behind a CryptoKey object.
type cryptoKey struct {
	js.Expando
	key *Key
	// Per-runtime caches: the spec's [[algorithm_cached]] and
	// [[usages_cached]], and an HMAC state reused by on-loop signing.
	alg, usages *goja.Object
	mac         hash.Hash
}

type cryptoObject struct{ js.Expando }
type subtleObject struct{ js.Expando }

// Install defines crypto, Crypto, SubtleCrypto and CryptoKey on l's runtime.
// Call it on the loop goroutine.
func Install(l *loop.Loop) *API {
	vm := l.VM()
	a := &API{vm: vm, loop: l}
	a.arrayFrom, _ = goja.AssertFunction(vm.Get("Array").(*goja.Object).Get("from"))
	g := vm.GlobalObject()

	keys := js.NewClass(vm, "CryptoKey", 0, nil)
	a.keyClass = keys
	keyAttr := func(name string, get func(*cryptoKey) goja.Value) {
		js.Attribute(vm, keys.Proto, name, func(call goja.FunctionCall) goja.Value {
			return get(js.This[*cryptoKey](vm, call))
		}, nil)
	}
	keyAttr("type", func(k *cryptoKey) goja.Value { return vm.ToValue(k.key.Type.String()) })
	keyAttr("extractable", func(k *cryptoKey) goja.Value { return vm.ToValue(k.key.Extractable) })
	keyAttr("algorithm", func(k *cryptoKey) goja.Value {
		if k.alg == nil {
			k.alg = a.algorithmObject(&k.key.Algorithm)
		}
		return k.alg
	})
	keyAttr("usages", func(k *cryptoKey) goja.Value {
		if k.usages == nil {
			names := k.key.Usages.Strings()
			vals := make([]any, len(names))
			for i, n := range names {
				vals[i] = n
			}
			k.usages = vm.NewArray(vals...)
		}
		return k.usages
	})
	_ = g.DefineDataProperty("CryptoKey", keys.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	sc := js.NewClass(vm, "SubtleCrypto", 0, nil)
	a.installSubtle(sc.Proto)
	_ = g.DefineDataProperty("SubtleCrypto", sc.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	subtleObj := sc.Wrap(&subtleObject{})
	a.subtleObj = subtleObj

	cc := js.NewClass(vm, "Crypto", 0, nil)
	a.cryptoObj = cc.Wrap(&cryptoObject{})
	js.Attribute(vm, cc.Proto, "subtle", func(call goja.FunctionCall) goja.Value {
		if call.This != goja.Value(a.cryptoObj) {
			js.This[*cryptoObject](vm, call)
		}
		return subtleObj
	}, nil)
	js.Operation(vm, cc.Proto, "getRandomValues", 1, func(call goja.FunctionCall) goja.Value {
		js.This[*cryptoObject](vm, call)
		return getRandomValues(vm, call.Argument(0))
	})
	js.Operation(vm, cc.Proto, "randomUUID", 0, func(call goja.FunctionCall) goja.Value {
		js.This[*cryptoObject](vm, call)
		return vm.ToValue(randomUUID())
	})
	a.cryptoProto = cc.Proto
	_ = g.DefineDataProperty("Crypto", cc.Ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = g.DefineDataProperty("crypto", a.cryptoObj, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	events.SetInternalSymbol(vm, g, apiKey, a)
	registerClone()
	return a
}

// NewKey returns a CryptoKey object for k in this runtime.
func (a *API) NewKey(k *Key) *goja.Object { return a.keyClass.Wrap(&cryptoKey{key: k}) }

// KeyOf returns the state behind a CryptoKey object.
func KeyOf(v goja.Value) (*Key, bool) {
	k, ok := js.Unwrap[*cryptoKey](v)
	if !ok {
		return nil, false
	}
	return k.key, true
}

func getRandomValues(vm *goja.Runtime, v goja.Value) goja.Value {
	b, ok := js.Bytes(vm, v)
	if !ok || isArrayBuffer(v) {
		panic(vm.NewTypeError("Failed to execute 'getRandomValues' on 'Crypto': parameter 1 is not of type 'ArrayBufferView'."))
	}
	if !isIntegerArray(v) {
		// A view, but not of integers (a float array, a DataView): the
		// spec's TypeMismatchError, with Workers' message.
		js.ThrowDOMException(vm, "TypeMismatchError", "ArrayBufferView argument to getRandomValues() must be an integer-typed view.")
	}
	if len(b) > 65536 {
		js.ThrowDOMException(vm, "QuotaExceededError", fmt.Sprintf("The ArrayBufferView's byte length (%d) exceeds the number of bytes of entropy available via this API (65536).", len(b)))
	}
	_, _ = rand.Read(b)
	return v
}

// isIntegerArray reports whether a BufferSource is an integer typed array
// (not an ArrayBuffer, a DataView or a float array).
func isIntegerArray(v goja.Value) bool {
	obj, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	tag := obj.GetSymbol(goja.SymToStringTag)
	if tag == nil || goja.IsUndefined(tag) {
		return false // ArrayBuffer and DataView have their own tags; plain objects none
	}
	switch tag.String() {
	case "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array":
		return true
	}
	return false
}

func randomUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// algorithmObject builds the JS KeyAlgorithm dictionary for alg, members in
// WebIDL order (inherited dictionary first, then lexicographic).
func (a *API) algorithmObject(alg *KeyAlgorithm) *goja.Object {
	vm := a.vm
	o := vm.NewObject()
	_ = o.Set("name", alg.Name)
	hashObj := func() *goja.Object {
		h := vm.NewObject()
		_ = h.Set("name", alg.Hash)
		return h
	}
	switch alg.Name {
	case algAESCTR, algAESCBC, algAESGCM, algAESKW:
		_ = o.Set("length", alg.Length)
	case algHMAC:
		_ = o.Set("hash", hashObj())
		_ = o.Set("length", alg.Length)
	case algECDSA, algECDH, algNodeEd25519:
		_ = o.Set("namedCurve", alg.NamedCurve)
	case algRSASSA, algRSAPSS, algRSAOAEP:
		_ = o.Set("modulusLength", alg.ModulusLength)
		_ = o.Set("publicExponent", js.NewUint8Array(vm, append([]byte(nil), alg.PublicExponent...)))
		_ = o.Set("hash", hashObj())
	}
	return o
}

// timingSafeEqual is Workers' crypto.subtle.timingSafeEqual(a, b).
func (a *API) timingSafeEqual(call goja.FunctionCall) goja.Value {
	vm := a.vm
	x, ok1 := js.Bytes(vm, js.Arg(call, 0))
	y, ok2 := js.Bytes(vm, js.Arg(call, 1))
	if !ok1 || !ok2 {
		panic(vm.NewTypeError("Failed to execute 'timingSafeEqual' on 'SubtleCrypto': parameters must be of type '(ArrayBuffer or ArrayBufferView)'."))
	}
	if len(x) != len(y) {
		panic(vm.NewTypeError("Input buffers must have the same byte length."))
	}
	return vm.ToValue(subtle.ConstantTimeCompare(x, y) == 1)
}

// isArrayBuffer reports whether a BufferSource is an ArrayBuffer rather than
// a view of one.
func isArrayBuffer(v goja.Value) bool {
	_, ok := v.Export().(goja.ArrayBuffer)
	return ok
}
