// Package fetch implements the Fetch standard's Headers, Request and Response for
// goja runtimes, backed by Go state: the objects JS sees are goja dynamic objects
// whose methods live on the prototypes, so creating a Request for an incoming
// HTTP request costs one small allocation and converts nothing until JS reads it.
package fetch

import (
	"net/http"

	"github.com/dop251/goja"

	"github.com/ferry-run/ferry/core/js"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/file"
	"github.com/ferry-run/ferry/core/webapi/formdata"
)

// DefaultMaxBody is the largest body read into memory (100 MiB, Cloudflare's
// request body limit on the Free and Pro plans).
const DefaultMaxBody = 100 << 20

// API is the fetch family installed on one runtime.
type API struct{ api }

type api struct {
	vm      *goja.Runtime
	loop    *loop.Loop
	maxBody int64
	opts    Options
	client  *http.Client

	headers, request, response, stream *js.Class

	files *file.API     // Blob and File (body.go)
	forms *formdata.API // FormData (body.go)

	jsonWriter  *js.JSONWriter // Response.json
	arrayValues goja.Callable
}

// Install defines Headers, Request, Response and fetch on l's runtime. Call it
// on the loop goroutine.
func Install(l *loop.Loop, o Options) *API {
	vm := l.VM()
	a := &API{api{vm: vm, loop: l, maxBody: DefaultMaxBody, opts: o, client: o.client()}}
	a.jsonWriter = js.NewJSONWriter(vm)
	// JSON.stringify(value) writes through the same Go serializer: the JSON
	// of new Response(JSON.stringify(data)) costs what Response.json's does.
	a.jsonWriter.InstallStringify()
	arrayProto := vm.Get("Array").(*goja.Object).Get("prototype").(*goja.Object)
	a.arrayValues, _ = goja.AssertFunction(arrayProto.Get("values"))
	a.installStream()
	a.installBodyTypes()
	a.installHeaders()
	a.installRequest()
	a.installResponse()
	a.installFetch()
	register(a)
	return a
}

func (a *api) arrayIterator(arr *goja.Object) goja.Value {
	it, err := a.arrayValues(arr)
	if err != nil {
		panic(err)
	}
	return it
}
