// Package url installs the WHATWG URL API — URL and URLSearchParams — on a goja
// runtime. Parsing and serialising run in Go on github.com/nlnwa/whatwg-url;
// the JS objects are goja dynamic objects backed by Go state, with accessors on
// their prototypes as WebIDL lays them out.
//
//	vm := goja.New()
//	url.Install(vm)
//	vm.RunString(`new URL("/a?b=1", "https://example.com").searchParams.get("b")`) // "1"
//
// Invariant: like every JS value, the objects are touched only by the
// goroutine that owns vm.
package url

import (
	"strings"
	"sync"

	"github.com/dop251/goja"
	wu "github.com/nlnwa/whatwg-url/url"

	"github.com/ferry-run/ferry/core/js"
)

// parser is shared by every runtime: it holds only options, and each parse or
// setter call keeps its state in the Url it works on.
//
// The library predates the URL Standard's addition of U+005E (^) to the path
// percent-encode set; the option brings it back in line. hostHooks (idna.go)
// bring domain to ASCII in line.
var parser = wu.NewParser(append(hostHooks, wu.WithPathPercentEncodeSet(wu.PathPercentEncodeSet.Set('^')))...)

// errInvalidURL is the message workerd throws (as a TypeError) for a URL that
// does not parse.
const errInvalidURL = "Invalid URL string."

// api holds one runtime's prototypes. Install makes one per runtime; the
// closures it hands to goja capture it.
type api struct {
	vm          *goja.Runtime
	urlProto    *goja.Object
	paramsProto *goja.Object
	iterProto   *goja.Object // created on first iterator
	// objectEntries is the runtime's original Object.entries, taken at
	// Install so a script replacing it cannot change how records convert.
	objectEntries goja.Callable
}

// Install defines URL and URLSearchParams on vm's global object. Call it once
// per runtime, before any script runs.
func Install(vm *goja.Runtime) {
	a := &api{vm: vm}
	a.objectEntries, _ = goja.AssertFunction(vm.Get("Object").ToObject(vm).Get("entries"))
	urlCtor, paramsCtor := a.classes()
	a.installURL(urlCtor)
	a.installSearchParams(paramsCtor)
	g := vm.GlobalObject()
	defineClass(g, "URL", urlCtor)
	defineClass(g, "URLSearchParams", paramsCtor)
}

// glueSrc declares the two classes in JS because goja gives a native
// constructor no way to tell `new URL()` from `URL()`, which WebIDL requires
// to throw; a class does that, sets new.target for subclasses, and gives the
// constructors the right name and length. Each constructor hands its
// arguments straight to Go.
const glueSrc = `(function (makeURL, makeParams) {
	"use strict";
	class URL { constructor(url, base = undefined) { return makeURL(new.target, url, base); } }
	class URLSearchParams { constructor(init = undefined) { return makeParams(new.target, init); } }
	return [URL, URLSearchParams];
})`

var (
	glueOnce sync.Once
	glue     *goja.Program
)

// classes runs the glue (compiled once per process) and returns the URL and
// URLSearchParams constructors.
func (a *api) classes() (urlCtor, paramsCtor *goja.Object) {
	glueOnce.Do(func() { glue = goja.MustCompile("url-glue.js", glueSrc, true) })
	vm := a.vm
	f, err := vm.RunProgram(glue)
	if err != nil {
		panic(err)
	}
	factory, _ := goja.AssertFunction(f)
	res, err := factory(goja.Undefined(), vm.ToValue(a.constructURL), vm.ToValue(a.constructParams))
	if err != nil {
		panic(err)
	}
	pair := res.(*goja.Object)
	return pair.Get("0").(*goja.Object), pair.Get("1").(*goja.Object)
}

// defineClass puts a constructor on the global object the way WebIDL exposes
// interface objects: writable, configurable, not enumerable.
func defineClass(g *goja.Object, name string, ctor *goja.Object) {
	_ = g.DefineDataProperty(name, ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// urlObject is the Go state behind one JS URL object.
type urlObject struct {
	js.Expando
	u        *wu.Url
	params   *paramsObject // the URL's query object, created on first use
	paramsJS *goja.Object
}

// constructURL is the body of the URL class in the glue: it receives
// new.target, url and base. (`new URL()` parses "undefined" and fails with
// the usual TypeError; counting arguments would cost an arguments object on
// every construction.)
func (a *api) constructURL(call goja.FunctionCall) goja.Value {
	vm := a.vm
	u, ok := parse(vm, call.Arguments[1], call.Arguments[2])
	if !ok {
		js.TypeError(vm, errInvalidURL)
	}
	return a.newURL(u, a.protoFor(call.Arguments[0], a.urlProto))
}

// protoFor is GetPrototypeFromConstructor: newTarget.prototype when it is an
// object (a subclass's prototype), else the realm's default.
func (a *api) protoFor(newTarget goja.Value, def *goja.Object) *goja.Object {
	if nt, ok := newTarget.(*goja.Object); ok {
		if p, ok := nt.Get("prototype").(*goja.Object); ok {
			return p
		}
	}
	return def
}

func (a *api) installURL(ctor *goja.Object) {
	vm := a.vm
	proto := ctor.Get("prototype").(*goja.Object)
	a.urlProto = proto

	js.Operation(vm, ctor, "canParse", 1, func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			js.TypeError(vm, "Failed to execute 'canParse' on 'URL': 1 argument required, but only 0 present.")
		}
		_, ok := parse(vm, call.Arguments[0], js.Arg(call, 1))
		return vm.ToValue(ok)
	})
	js.Operation(vm, ctor, "parse", 1, func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) == 0 {
			js.TypeError(vm, "Failed to execute 'parse' on 'URL': 1 argument required, but only 0 present.")
		}
		u, ok := parse(vm, call.Arguments[0], js.Arg(call, 1))
		if !ok {
			return goja.Null()
		}
		return a.newURL(u, a.urlProto)
	})

	str := func(f func(u *wu.Url) string) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value { return vm.ToValue(f(a.thisURL(call).u)) }
	}
	set := func(f func(o *urlObject, v string)) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			o := a.thisURL(call)
			v := usv(vm, js.Arg(call, 0))
			guard(vm, func() { f(o, v) })
			return goja.Undefined()
		}
	}
	href := str(func(u *wu.Url) string { return u.Href(false) })
	js.Attribute(vm, proto, "href", href, set(func(o *urlObject, v string) {
		u, err := parser.Parse(v)
		if err != nil {
			js.TypeError(vm, errInvalidURL)
		}
		o.u = fixOpaquePath(u)
		o.resetParams()
	}))
	js.Attribute(vm, proto, "origin", str(origin), nil)
	js.Attribute(vm, proto, "protocol", str((*wu.Url).Protocol), set(func(o *urlObject, v string) { o.u.SetProtocol(v) }))
	js.Attribute(vm, proto, "username", str((*wu.Url).Username), set(func(o *urlObject, v string) { o.u.SetUsername(v) }))
	js.Attribute(vm, proto, "password", str((*wu.Url).Password), set(func(o *urlObject, v string) { o.u.SetPassword(v) }))
	js.Attribute(vm, proto, "host", str((*wu.Url).Host), set(func(o *urlObject, v string) { o.u.SetHost(v) }))
	js.Attribute(vm, proto, "hostname", str((*wu.Url).Hostname), set(func(o *urlObject, v string) { o.u.SetHostname(v) }))
	js.Attribute(vm, proto, "port", str((*wu.Url).Port), set(func(o *urlObject, v string) { o.u.SetPort(v) }))
	js.Attribute(vm, proto, "pathname", str((*wu.Url).Pathname), set(func(o *urlObject, v string) { o.u.SetPathname(v) }))
	js.Attribute(vm, proto, "search", str((*wu.Url).Search), set(func(o *urlObject, v string) {
		o.u.SetSearch(v)
		if o.params != nil {
			o.params.list = parseQuery(strings.TrimPrefix(v, "?"), o.params.list[:0])
		}
	}))
	js.Attribute(vm, proto, "searchParams", func(call goja.FunctionCall) goja.Value {
		o := a.thisURL(call)
		if o.paramsJS == nil {
			o.params = &paramsObject{owner: o}
			o.params.list = parseQuery(o.u.Query(), nil)
			o.paramsJS = a.newParams(o.params, a.paramsProto)
		}
		return o.paramsJS
	}, nil)
	js.Attribute(vm, proto, "hash", str((*wu.Url).Hash), set(func(o *urlObject, v string) { o.u.SetHash(v) }))
	js.Operation(vm, proto, "toJSON", 0, href)
	js.Operation(vm, proto, "toString", 0, href)
	js.ToStringTag(vm, proto, "URL")
}

// newURL wraps u in a JS object with prototype proto.
func (a *api) newURL(u *wu.Url, proto *goja.Object) *goja.Object {
	obj := a.vm.NewDynamicObject(&urlObject{u: u})
	_ = obj.SetPrototype(proto)
	return obj
}

// thisURL returns the URL state behind call.This or throws the TypeError
// WebIDL requires for a receiver of the wrong type.
func (a *api) thisURL(call goja.FunctionCall) *urlObject {
	o, ok := js.Unwrap[*urlObject](call.This)
	if !ok {
		js.TypeError(a.vm, "Illegal invocation")
	}
	return o
}

// resetParams re-reads the query object's list after the URL's query was
// replaced (href and search setters), as the standard's setters do.
func (o *urlObject) resetParams() {
	if o.params != nil {
		o.params.list = parseQuery(o.u.Query(), o.params.list[:0])
	}
}

// setQuery is the URLSearchParams "update" step: the serialised list becomes
// the URL's query, or no query at all when the list is empty.
func (o *urlObject) setQuery(serialized string) {
	o.u.SetSearch(serialized)
}

// parse runs the URL parser on JS arguments input and base (base undefined
// means none). ok is false when either fails to parse.
func parse(vm *goja.Runtime, input, base goja.Value) (u *wu.Url, ok bool) {
	in := usv(vm, input)
	var err error
	if goja.IsUndefined(base) {
		guard(vm, func() { u, err = parser.Parse(in) })
	} else {
		b := usv(vm, base)
		guard(vm, func() {
			var bu *wu.Url
			if bu, err = parser.Parse(b); err == nil {
				u, err = bu.Parse(in)
			}
		})
	}
	if err != nil || u == nil {
		return nil, false
	}
	return fixOpaquePath(u), true
}

// fixOpaquePath applies the URL Standard's rule, newer than the library, that
// a space ending an opaque path right before "?" or "#" is written as "%20"
// ("sc:a ?q" → "sc:a%20?q"), so that removing the query or fragment later
// cannot leave a path with a trailing space. It re-parses the fixed
// serialisation, which happens only for such rare URLs.
func fixOpaquePath(u *wu.Url) *wu.Url {
	if !u.OpaquePath() {
		return u
	}
	p := u.Pathname()
	if !strings.HasSuffix(p, " ") {
		return u
	}
	head := u.Protocol() + p
	href := u.Href(false)
	if !strings.HasPrefix(href, head) || len(href) == len(head) {
		return u
	}
	fixed, err := parser.Parse(head[:len(head)-1] + "%20" + href[len(head):])
	if err != nil {
		return u
	}
	return fixed
}

// origin serialises u's origin: scheme://host[:port] for the schemes with a
// tuple origin, the origin of the embedded URL for blob: URLs of http(s), and
// "null" for opaque origins.
func origin(u *wu.Url) string {
	switch u.Scheme() {
	case "http", "https", "ws", "wss", "ftp":
		return u.Protocol() + "//" + u.Host()
	case "blob":
		inner, err := parser.Parse(u.Pathname())
		if err == nil && (inner.Scheme() == "http" || inner.Scheme() == "https") {
			return origin(inner)
		}
	}
	return "null"
}

// guard runs f and turns a Go panic from the URL library into a TypeError, so
// a library bug cannot take down the runtime's goroutine. JS exceptions thrown
// by f pass through.
func guard(vm *goja.Runtime, f func()) {
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case *goja.Object, *goja.Exception, goja.Value:
				panic(r)
			}
			js.TypeError(vm, errInvalidURL)
		}
	}()
	f()
}

// usv converts v to a USVString: ToString, with lone surrogates replaced by
// U+FFFD (goja's String does exactly that). Symbols throw a TypeError.
func usv(vm *goja.Runtime, v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		js.TypeError(vm, "Cannot convert a Symbol value to a string")
	}
	return v.String()
}
