package crypto

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
)

// largeInput is the input size above which a digest, MAC or AES operation
// leaves the loop goroutine. Measured with BenchmarkCutoff (fastest of 20
// rounds, on a loaded two-core machine): SHA-256 runs at about 1.7 GB/s, so
// 64 KiB holds the loop for about 38 µs, while the hop to another goroutine
// and back costs 20 µs or more and grows with load. Below the cut-off the
// hop would cost the request more than the loop's other requests gain.
var largeInput = 64 << 10

// pbkdf2OnLoop is the largest PBKDF2 iteration count run on the loop.
const pbkdf2OnLoop = 64

// job is the Go half of an operation: run computes a result (a []byte, a
// bool, a *Key, a keyPair or a *JWK) from Go values only. A heavy job runs
// on another goroutine.
type job struct {
	heavy bool
	run   func() (any, error)
}

type keyPair struct{ public, private *Key }

// asymmetric reports whether an algorithm's operations are expensive enough
// to always leave the loop.
func asymmetric(name string) bool {
	switch name {
	case algRSASSA, algRSAPSS, algRSAOAEP, algECDSA, algECDH, algEd25519, algNodeEd25519, algX25519:
		return true
	}
	return false
}

// run implements the promise plumbing every SubtleCrypto method shares:
// argument count, conversion errors and spec errors become rejections;
// the job runs on the loop or off it; the result converts on the loop.
func (a *API) run(method string, required int, call goja.FunctionCall, prep func() (job, error)) goja.Value {
	vm := a.vm
	p, resolve, reject := vm.NewPromise()
	var j job
	var err error
	if n := len(call.Arguments); n < required {
		err = typeError("Failed to execute '%s' on 'SubtleCrypto': %d arguments required, but only %d present.", method, required, n)
	} else if ex := vm.Try(func() { j, err = guard(prep) }); ex != nil {
		_ = reject(ex.Value())
		return vm.ToValue(p)
	}
	if err != nil {
		_ = reject(toJS(vm, err))
		return vm.ToValue(p)
	}
	settle := func(v any, err error) {
		if err != nil {
			_ = reject(toJS(vm, err))
			return
		}
		_ = resolve(a.toValue(v))
	}
	if !j.heavy {
		// The spec runs the operation "in parallel" and settles the promise
		// in a later task: neither a result nor an error from the operation
		// itself (a bad usage, a wrong tag) may settle it before microtasks
		// queued after the call run (WPT checks both). The work is done
		// now; only the settling waits for the next turn of the loop.
		v, err := j.run()
		a.loop.Reserve()(func(*goja.Runtime) error {
			settle(v, err)
			return nil
		})
		return vm.ToValue(p)
	}
	done := a.loop.Reserve()
	go func() {
		v, err := j.run()
		done(func(*goja.Runtime) error {
			settle(v, err)
			return nil
		})
	}()
	return vm.ToValue(p)
}

// guard turns an *opError panic from argument conversion into an error.
func guard(prep func() (job, error)) (j job, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*opError)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	return prep()
}

func (a *API) toValue(v any) goja.Value {
	vm := a.vm
	switch x := v.(type) {
	case []byte:
		return vm.ToValue(vm.NewArrayBuffer(x))
	case bool:
		return vm.ToValue(x)
	case *Key:
		return a.NewKey(x)
	case keyPair:
		o := vm.NewObject()
		_ = o.Set("privateKey", a.NewKey(x.private))
		_ = o.Set("publicKey", a.NewKey(x.public))
		return o
	case *JWK:
		return a.jwkObject(x)
	}
	return goja.Undefined()
}

// ---- argument conversion (panics with *opError) ----

func argError(method string, pos int, typ string) *opError {
	return typeError("Failed to execute '%s' on 'SubtleCrypto': parameter %d is not of type '%s'.", method, pos, typ)
}

// bytesArg returns the bytes of a BufferSource argument; they alias JS
// memory (see own). Operations call it twice: first for WebIDL's type
// check, which comes before anything else, then again after normalizing the
// algorithm, which is when the standard takes its copy of the bytes: an
// algorithm's getters that change or transfer (detach) the buffer are seen,
// and a detached buffer reads as empty (WPT checks both).
func (a *API) bytesArg(call goja.FunctionCall, i int, method string) []byte {
	b, ok := js.Bytes(a.vm, js.Arg(call, i))
	if !ok {
		panic(argError(method, i+1, "(ArrayBuffer or ArrayBufferView)"))
	}
	return b
}

// own copies b when the job runs off the loop, where JS may change the
// buffer under it.
func own(b []byte, heavy bool) []byte {
	if !heavy {
		return b
	}
	return append([]byte(nil), b...)
}

func (a *API) keyArg(call goja.FunctionCall, i int, method string) *Key {
	k, ok := KeyOf(js.Arg(call, i))
	if !ok {
		panic(argError(method, i+1, "CryptoKey"))
	}
	return k
}

func (a *API) usagesArg(call goja.FunctionCall, i int, method string) Usages {
	v := js.Arg(call, i)
	obj, ok := v.(*goja.Object)
	if !ok {
		panic(argError(method, i+1, "sequence"))
	}
	if obj.ClassName() != "Array" {
		// Any other iterable: let Array.from run the iteration protocol.
		res, err := a.arrayFrom(goja.Undefined(), obj)
		if err != nil {
			panic(err)
		}
		obj = res.(*goja.Object)
	}
	var u Usages
	n := int(obj.Get("length").ToInteger())
	for k := 0; k < n; k++ {
		s := obj.Get(strconv.Itoa(k)).String()
		x, ok := ParseUsage(s)
		if !ok {
			panic(typeError("Failed to execute '%s' on 'SubtleCrypto': The provided value '%s' is not a valid enum value of type KeyUsage.", method, s))
		}
		u |= x
	}
	return u
}

var formats = map[string]bool{"raw": true, "spki": true, "pkcs8": true, "jwk": true}

func (a *API) formatArg(call goja.FunctionCall, i int, method string) string {
	s := js.Arg(call, i).String()
	if !formats[s] {
		panic(typeError("Failed to execute '%s' on 'SubtleCrypto': The provided value '%s' is not a valid enum value of type KeyFormat.", method, s))
	}
	return s
}

// keyDataArg converts importKey's (BufferSource or JsonWebKey) keyData.
func (a *API) keyDataArg(call goja.FunctionCall, i int, format string) ([]byte, *JWK) {
	v := js.Arg(call, i)
	b, isBuf := js.Bytes(a.vm, v)
	if format == "jwk" {
		if isBuf {
			panic(typeError("Failed to execute 'importKey' on 'SubtleCrypto': Key data must be an object for JWK import"))
		}
		return nil, a.jwkFromJS(v)
	}
	if !isBuf {
		panic(typeError("Failed to execute 'importKey' on 'SubtleCrypto': Key data must be a BufferSource for non-JWK formats"))
	}
	return b, nil
}

// checkUse implements the checks every operation that uses a key makes
// first: the algorithm named must be the key's, and the key must allow the
// usage.
func checkUse(p *params, k *Key, u Usages) error {
	if p.name != k.Algorithm.Name {
		return invalidAccess("Requested algorithm %q does not match this CryptoKey's algorithm %q.", p.name, k.Algorithm.Name)
	}
	if k.Usages&u == 0 {
		return invalidAccess("Requested key usage %q does not match any usage listed in this CryptoKey.", u.String())
	}
	return nil
}

// checkNotEmpty is the check generateKey, importKey, deriveKey and unwrapKey
// make on their result.
func checkNotEmpty(v any) error {
	switch x := v.(type) {
	case *Key:
		if (x.Type == Secret || x.Type == Private) && x.Usages == 0 {
			return syntaxError("Usages cannot be empty when creating a key.")
		}
	case keyPair:
		if x.private.Usages == 0 {
			return syntaxError("Usages cannot be empty when creating a key.")
		}
	}
	return nil
}

func (a *API) installSubtle(proto *goja.Object) {
	vm := a.vm
	method := func(name string, length int, fn func(goja.FunctionCall) goja.Value) {
		js.Operation(vm, proto, name, length, func(call goja.FunctionCall) goja.Value {
			if call.This == goja.Value(a.subtleObj) {
				return fn(call)
			}
			if _, ok := js.Unwrap[*subtleObject](call.This); !ok {
				// A promise-returning operation rejects rather than throws.
				p, _, reject := vm.NewPromise()
				_ = reject(vm.NewTypeError("Illegal invocation"))
				return vm.ToValue(p)
			}
			return fn(call)
		})
	}

	method("digest", 2, func(call goja.FunctionCall) goja.Value {
		return a.run("digest", 2, call, func() (job, error) {
			a.bytesArg(call, 1, "digest")
			p, err := a.normalize(call.Arguments[0], opDigest)
			if err != nil {
				return job{}, err
			}
			data := a.bytesArg(call, 1, "digest")
			heavy := len(data) > largeInput
			data = own(data, heavy)
			return job{heavy, func() (any, error) { return digest(p.name, data), nil }}, nil
		})
	})

	crypt := func(name string, o op, usage Usages) {
		method(name, 3, func(call goja.FunctionCall) goja.Value {
			return a.run(name, 3, call, func() (job, error) {
				k := a.keyArg(call, 1, name)
				a.bytesArg(call, 2, name)
				p, err := a.normalize(call.Arguments[0], o)
				if err != nil {
					return job{}, err
				}
				data := a.bytesArg(call, 2, name)
				if err := checkUse(p, k, usage); err != nil {
					return job{}, err
				}
				heavy := asymmetric(p.name) || len(data) > largeInput
				data = own(data, heavy)
				return job{heavy, func() (any, error) {
					if o == opEncrypt {
						return encrypt(p, k, data)
					}
					return decrypt(p, k, data)
				}}, nil
			})
		})
	}
	crypt("encrypt", opEncrypt, UsageEncrypt)
	crypt("decrypt", opDecrypt, UsageDecrypt)

	method("sign", 3, func(call goja.FunctionCall) goja.Value {
		if v := a.hmacFast(call, false); v != nil {
			return v
		}
		return a.run("sign", 3, call, func() (job, error) {
			obj, _ := js.Unwrap[*cryptoKey](js.Arg(call, 1))
			k := a.keyArg(call, 1, "sign")
			a.bytesArg(call, 2, "sign")
			p, err := a.normalize(call.Arguments[0], opSign)
			if err != nil {
				return job{}, err
			}
			data := a.bytesArg(call, 2, "sign")
			if err := checkUse(p, k, UsageSign); err != nil {
				return job{}, err
			}
			heavy := asymmetric(p.name) || len(data) > largeInput
			if p.name == algHMAC && !heavy {
				// The common case (JWT HS256, webhook signatures): reuse the
				// key's HMAC state instead of rebuilding its pads per call.
				return job{false, func() (any, error) { return obj.hmacSign(data), nil }}, nil
			}
			data = own(data, heavy)
			return job{heavy, func() (any, error) { return sign(p, k, data) }}, nil
		})
	})

	method("verify", 4, func(call goja.FunctionCall) goja.Value {
		if v := a.hmacFast(call, true); v != nil {
			return v
		}
		return a.run("verify", 4, call, func() (job, error) {
			obj, _ := js.Unwrap[*cryptoKey](js.Arg(call, 1))
			k := a.keyArg(call, 1, "verify")
			a.bytesArg(call, 2, "verify")
			a.bytesArg(call, 3, "verify")
			p, err := a.normalize(call.Arguments[0], opVerify)
			if err != nil {
				return job{}, err
			}
			sig := a.bytesArg(call, 2, "verify")
			data := a.bytesArg(call, 3, "verify")
			if err := checkUse(p, k, UsageVerify); err != nil {
				return job{}, err
			}
			heavy := asymmetric(p.name) || len(data) > largeInput
			if p.name == algHMAC && !heavy {
				return job{false, func() (any, error) { return hmacEqual(obj.hmacSign(data), sig), nil }}, nil
			}
			sig, data = own(sig, heavy), own(data, heavy)
			return job{heavy, func() (any, error) { return verify(p, k, sig, data) }}, nil
		})
	})

	method("generateKey", 3, func(call goja.FunctionCall) goja.Value {
		return a.run("generateKey", 3, call, func() (job, error) {
			extractable := call.Arguments[1].ToBoolean()
			usages := a.usagesArg(call, 2, "generateKey")
			p, err := a.normalize(call.Arguments[0], opGenerateKey)
			if err != nil {
				return job{}, err
			}
			if err := generateParamsError(p, usages); err != nil {
				return job{}, err
			}
			return job{asymmetric(p.name), func() (any, error) {
				v, err := generateKey(p, extractable, usages)
				if err != nil {
					return nil, err
				}
				return v, checkNotEmpty(v)
			}}, nil
		})
	})

	method("importKey", 5, func(call goja.FunctionCall) goja.Value {
		return a.run("importKey", 5, call, func() (job, error) {
			format := a.formatArg(call, 0, "importKey")
			data, jwk := a.keyDataArg(call, 1, format)
			extractable := call.Arguments[3].ToBoolean()
			usages := a.usagesArg(call, 4, "importKey")
			p, err := a.normalize(call.Arguments[2], opImportKey)
			if err != nil {
				return job{}, err
			}
			if jwk == nil {
				data, _ = a.keyDataArg(call, 1, format)
			}
			heavy := asymmetric(p.name)
			data = own(data, heavy)
			return job{heavy, func() (any, error) {
				k, err := importKey(format, data, jwk, p, extractable, usages)
				if err != nil {
					return nil, err
				}
				return k, checkNotEmpty(k)
			}}, nil
		})
	})

	method("exportKey", 2, func(call goja.FunctionCall) goja.Value {
		return a.run("exportKey", 2, call, func() (job, error) {
			format := a.formatArg(call, 0, "exportKey")
			k := a.keyArg(call, 1, "exportKey")
			return job{false, func() (any, error) { return exportChecked(format, k) }}, nil
		})
	})

	method("deriveBits", 2, func(call goja.FunctionCall) goja.Value {
		return a.run("deriveBits", 2, call, func() (job, error) {
			k := a.keyArg(call, 1, "deriveBits")
			length, hasLength := 0, false
			if v := js.Arg(call, 2); !js.IsNullish(v) {
				length, hasLength = toUint32(v.ToFloat()), true
			}
			p, err := a.normalize(call.Arguments[0], opDeriveBits)
			if err != nil {
				return job{}, err
			}
			if err := checkUse(p, k, UsageDeriveBits); err != nil {
				return job{}, err
			}
			return job{heavyDerive(p), func() (any, error) { return deriveBits(p, k, length, hasLength) }}, nil
		})
	})

	method("deriveKey", 5, func(call goja.FunctionCall) goja.Value {
		return a.run("deriveKey", 5, call, func() (job, error) {
			k := a.keyArg(call, 1, "deriveKey")
			extractable := call.Arguments[3].ToBoolean()
			usages := a.usagesArg(call, 4, "deriveKey")
			p, err := a.normalize(call.Arguments[0], opDeriveBits)
			if err != nil {
				return job{}, err
			}
			imp, err := a.normalize(call.Arguments[2], opImportKey)
			if err != nil {
				return job{}, err
			}
			kl, err := a.normalize(call.Arguments[2], opGetKeyLength)
			if err != nil {
				return job{}, err
			}
			if err := checkUse(p, k, UsageDeriveKey); err != nil {
				return job{}, err
			}
			return job{heavyDerive(p), func() (any, error) {
				length, hasLength, err := keyLength(kl)
				if err != nil {
					return nil, err
				}
				secret, err := deriveBits(p, k, length, hasLength)
				if err != nil {
					return nil, err
				}
				key, err := importKey("raw", secret, nil, imp, extractable, usages)
				if err != nil {
					return nil, err
				}
				return key, checkNotEmpty(key)
			}}, nil
		})
	})

	method("wrapKey", 4, func(call goja.FunctionCall) goja.Value {
		return a.run("wrapKey", 4, call, func() (job, error) {
			format := a.formatArg(call, 0, "wrapKey")
			k := a.keyArg(call, 1, "wrapKey")
			wk := a.keyArg(call, 2, "wrapKey")
			p, err := a.normalize(call.Arguments[3], opWrapKey)
			if err != nil {
				if p, err = a.normalize(call.Arguments[3], opEncrypt); err != nil {
					return job{}, err
				}
			}
			if err := checkUse(p, wk, UsageWrapKey); err != nil {
				return job{}, err
			}
			return job{asymmetric(p.name) || asymmetric(k.Algorithm.Name), func() (any, error) {
				exported, err := exportChecked(format, k)
				if err != nil {
					return nil, err
				}
				var b []byte
				if jwk, ok := exported.(*JWK); ok {
					b, _ = json.Marshal(jwk)
				} else {
					b = exported.([]byte)
				}
				if p.name == algAESKW {
					return aesKWWrap(wk, b)
				}
				return encrypt(p, wk, b)
			}}, nil
		})
	})

	method("unwrapKey", 7, func(call goja.FunctionCall) goja.Value {
		return a.run("unwrapKey", 7, call, func() (job, error) {
			format := a.formatArg(call, 0, "unwrapKey")
			wrapped := a.bytesArg(call, 1, "unwrapKey")
			uk := a.keyArg(call, 2, "unwrapKey")
			extractable := call.Arguments[5].ToBoolean()
			usages := a.usagesArg(call, 6, "unwrapKey")
			p, err := a.normalize(call.Arguments[3], opUnwrapKey)
			if err != nil {
				if p, err = a.normalize(call.Arguments[3], opDecrypt); err != nil {
					return job{}, err
				}
			}
			imp, err := a.normalize(call.Arguments[4], opImportKey)
			if err != nil {
				return job{}, err
			}
			if err := checkUse(p, uk, UsageUnwrapKey); err != nil {
				return job{}, err
			}
			wrapped = a.bytesArg(call, 1, "unwrapKey")
			heavy := asymmetric(p.name) || asymmetric(imp.name) || len(wrapped) > largeInput
			wrapped = own(wrapped, heavy)
			return job{heavy, func() (any, error) {
				var b []byte
				var err error
				if p.name == algAESKW {
					b, err = aesKWUnwrap(uk, wrapped)
				} else {
					b, err = decrypt(p, uk, wrapped)
				}
				if err != nil {
					return nil, err
				}
				var jwk *JWK
				if format == "jwk" {
					if jwk, err = parseJWK(b); err != nil {
						return nil, err
					}
					b = nil
				}
				key, err := importKey(format, b, jwk, imp, extractable, usages)
				if err != nil {
					return nil, err
				}
				return key, checkNotEmpty(key)
			}}, nil
		})
	})

	js.Operation(vm, proto, "timingSafeEqual", 2, func(call goja.FunctionCall) goja.Value {
		js.This[*subtleObject](vm, call)
		return a.timingSafeEqual(call)
	})
}

// hmacFast serves sign and verify with an HMAC key, a string algorithm name
// and an input under largeInput without the general path's closures and
// normalization: the common case (JWT HS256, webhook signatures) and one
// where per-call costs would otherwise exceed the MAC itself. It reuses the
// key's HMAC state. It returns nil for any other call, including every call
// that would fail, which the general path then handles (and reports).
func (a *API) hmacFast(call goja.FunctionCall, verify bool) goja.Value {
	vm := a.vm
	n, need := 3, UsageSign
	if verify {
		n, need = 4, UsageVerify
	}
	if len(call.Arguments) < n {
		return nil
	}
	k, ok := js.Unwrap[*cryptoKey](call.Arguments[1])
	if !ok || k.key.Algorithm.Name != algHMAC || k.key.Usages&need == 0 {
		return nil
	}
	// A string primitive only: an algorithm object (whose getters
	// normalization must run) takes the general path. String() of a goja
	// string costs no allocation, unlike Export.
	name, ok := call.Arguments[0].(goja.String)
	if !ok || !strings.EqualFold(name.String(), algHMAC) {
		return nil
	}
	data, ok := js.Bytes(vm, call.Arguments[n-1])
	if !ok || len(data) > largeInput {
		return nil
	}
	var result goja.Value
	if verify {
		sig, ok := js.Bytes(vm, call.Arguments[2])
		if !ok {
			return nil
		}
		result = vm.ToValue(hmacEqual(k.hmacSign(data), sig))
	} else {
		result = vm.ToValue(vm.NewArrayBuffer(k.hmacSign(data)))
	}
	p, resolve, _ := vm.NewPromise()
	_ = resolve(result)
	return vm.ToValue(p)
}

// exportChecked is exportKey's algorithm-independent part.
func exportChecked(format string, k *Key) (any, error) {
	if !exportable[k.Algorithm.Name] {
		return nil, notSupported("Unsupported key export: %s keys cannot be exported.", k.Algorithm.Name)
	}
	if !k.Extractable {
		return nil, invalidAccess("Attempt to export a non-extractable key.")
	}
	return exportKey(format, k)
}

// toUint32 is WebIDL's unsigned long conversion (ToUint32, no EnforceRange).
func toUint32(f float64) int {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int(uint32(int64(math.Mod(math.Trunc(f), 1<<32)) & 0xffffffff))
}

func heavyDerive(p *params) bool {
	return asymmetric(p.name) || (p.name == algPBKDF2 && p.iterations > pbkdf2OnLoop)
}
