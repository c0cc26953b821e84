package crypto

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// JWK is a JsonWebKey dictionary. A nil member is absent. Fields are in
// lexicographic order, the order WebIDL gives a dictionary's members when it
// becomes a JS object, so the JSON wrapKey produces has the same order.
type JWK struct {
	Alg    *string   `json:"alg,omitempty"`
	Crv    *string   `json:"crv,omitempty"`
	D      *string   `json:"d,omitempty"`
	DP     *string   `json:"dp,omitempty"`
	DQ     *string   `json:"dq,omitempty"`
	E      *string   `json:"e,omitempty"`
	Ext    *bool     `json:"ext,omitempty"`
	K      *string   `json:"k,omitempty"`
	KeyOps *[]string `json:"key_ops,omitempty"`
	Kty    *string   `json:"kty,omitempty"`
	N      *string   `json:"n,omitempty"`
	Oth    *[]any    `json:"oth,omitempty"`
	P      *string   `json:"p,omitempty"`
	Q      *string   `json:"q,omitempty"`
	QI     *string   `json:"qi,omitempty"`
	Use    *string   `json:"use,omitempty"`
	X      *string   `json:"x,omitempty"`
	Y      *string   `json:"y,omitempty"`
}

func (j *JWK) strings() []struct {
	name string
	p    **string
} {
	return []struct {
		name string
		p    **string
	}{{"alg", &j.Alg}, {"crv", &j.Crv}, {"d", &j.D}, {"dp", &j.DP}, {"dq", &j.DQ}, {"e", &j.E},
		{"k", &j.K}, {"kty", &j.Kty}, {"n", &j.N}, {"p", &j.P}, {"q", &j.Q}, {"qi", &j.QI},
		{"use", &j.Use}, {"x", &j.X}, {"y", &j.Y}}
}

func str(s string) *string { return &s }

// jwkFromJS converts a JS value to a JsonWebKey dictionary as WebIDL does
// (undefined and null are an empty dictionary; other non-objects are a
// TypeError).
func (a *API) jwkFromJS(v goja.Value) *JWK {
	j := &JWK{}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return j
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		panic(typeError("Failed to execute 'importKey' on 'SubtleCrypto': Key data must be an object for JWK import"))
	}
	get := func(name string) goja.Value {
		x := obj.Get(name)
		if x == nil || goja.IsUndefined(x) {
			return nil
		}
		return x
	}
	// Members in lexicographic order, as WebIDL reads them.
	for _, f := range j.strings() {
		switch f.name {
		case "k":
			if x := get("ext"); x != nil {
				b := x.ToBoolean()
				j.Ext = &b
			}
		case "kty":
			if x := get("key_ops"); x != nil {
				ops := a.stringSequence(x, "key_ops")
				j.KeyOps = &ops
			}
		case "p":
			if x := get("oth"); x != nil {
				oth := []any{}
				j.Oth = &oth
			}
		}
		if x := get(f.name); x != nil {
			*f.p = str(x.String())
		}
	}
	return j
}

func (a *API) stringSequence(v goja.Value, what string) []string {
	obj, ok := v.(*goja.Object)
	if !ok {
		panic(typeError("Failed to read the '%s' property from 'JsonWebKey': The provided value cannot be converted to a sequence.", what))
	}
	if obj.ClassName() != "Array" {
		res, err := a.arrayFrom(goja.Undefined(), obj)
		if err != nil {
			panic(err)
		}
		obj = res.(*goja.Object)
	}
	n := int(obj.Get("length").ToInteger())
	out := make([]string, n)
	for i := range out {
		out[i] = obj.Get(strconv.Itoa(i)).String()
	}
	return out
}

// jwkObject converts a JWK to a JS object, members in lexicographic order.
func (a *API) jwkObject(j *JWK) *goja.Object {
	vm := a.vm
	o := vm.NewObject()
	for _, f := range j.strings() {
		switch f.name {
		case "k":
			if j.Ext != nil {
				_ = o.Set("ext", *j.Ext)
			}
		case "kty":
			if j.KeyOps != nil {
				vals := make([]any, len(*j.KeyOps))
				for i, s := range *j.KeyOps {
					vals[i] = s
				}
				_ = o.Set("key_ops", vm.NewArray(vals...))
			}
		}
		if *f.p != nil {
			_ = o.Set(f.name, **f.p)
		}
	}
	return o
}

// parseJWK implements "parse a JWK" for unwrapKey: JSON text to a
// JsonWebKey, DataError when it is not one.
func parseJWK(b []byte) (*JWK, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, dataError("The unwrapped key is not valid JSON: %v", err)
	}
	var j JWK
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, dataError("The unwrapped key is not a valid JSON Web Key: %v", err)
	}
	if j.Kty == nil {
		return nil, dataError("The JSON Web Key has no \"kty\" member.")
	}
	return &j, nil
}

// b64 decodes a base64url JWK member (padding tolerated).
func b64(s *string, member string) ([]byte, error) {
	if s == nil {
		return nil, dataError("The JSON Web Key has no %q member.", member)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(*s, "="))
	if err != nil {
		return nil, dataError("The JSON Web Key's %q member is not valid base64url.", member)
	}
	return b, nil
}

func enc(b []byte) *string { return str(base64.RawURLEncoding.EncodeToString(b)) }

// checkJWK makes the checks every JWK import shares, after the kty check:
// "use" (when usages is non-empty), "key_ops" and "ext".
func checkJWK(j *JWK, use string, extractable bool, usages Usages) error {
	if usages != 0 && j.Use != nil && *j.Use != use {
		return dataError("The JSON Web Key's \"use\" member must be %q.", use)
	}
	if j.KeyOps != nil {
		var ops Usages
		seen := map[string]bool{}
		for _, s := range *j.KeyOps {
			if seen[s] {
				return dataError("The JSON Web Key's \"key_ops\" member has %q more than once.", s)
			}
			seen[s] = true
			if u, ok := ParseUsage(s); ok {
				ops |= u
			}
		}
		if usages&^ops != 0 {
			return dataError("The JSON Web Key's \"key_ops\" member does not allow the requested usages.")
		}
	}
	if j.Ext != nil && !*j.Ext && extractable {
		return dataError("The JSON Web Key's \"ext\" member is false but the key is requested to be extractable.")
	}
	return nil
}

func kty(j *JWK, want string) error {
	if j.Kty == nil || *j.Kty != want {
		return dataError("The JSON Web Key's \"kty\" member must be %q.", want)
	}
	return nil
}

// exportJWK fills the members every exported JWK has.
func exportJWK(j *JWK, k *Key) *JWK {
	ops := k.Usages.Strings()
	j.KeyOps = &ops
	ext := k.Extractable
	j.Ext = &ext
	return j
}
