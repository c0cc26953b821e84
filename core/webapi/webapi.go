// Package webapi installs every Web API family Ferry has on a runtime, in one
// place, so `ferry run`, the Worker pool and tests see the same globals.
package webapi

import (
	"github.com/dop251/goja"

	store "github.com/ferry-run/ferry/bindings/cache"
	"github.com/ferry-run/ferry/core/loop"
	"github.com/ferry-run/ferry/core/webapi/cache"
	"github.com/ferry-run/ferry/core/webapi/clone"
	"github.com/ferry-run/ferry/core/webapi/compression"
	"github.com/ferry-run/ferry/core/webapi/console"
	"github.com/ferry-run/ferry/core/webapi/crypto"
	"github.com/ferry-run/ferry/core/webapi/encoding"
	"github.com/ferry-run/ferry/core/webapi/events"
	"github.com/ferry-run/ferry/core/webapi/fetch"
	"github.com/ferry-run/ferry/core/webapi/global"
	"github.com/ferry-run/ferry/core/webapi/messaging"
	"github.com/ferry-run/ferry/core/webapi/streams"
	"github.com/ferry-run/ferry/core/webapi/url"
	"github.com/ferry-run/ferry/core/webapi/urlpattern"
)

// Options carry the host's sinks.
type Options struct {
	// Console receives console output lines with their level.
	Console func(level, line string)
	// ReportError receives values passed to reportError and uncaught errors
	// that have no other place to go.
	ReportError func(goja.Value)
	// Fetch configures outbound fetch().
	Fetch fetch.Options
	// Cache stores the Cache API's responses (caches.default, caches.open);
	// nil stores nothing.
	Cache store.Store
}

// Install defines the globals on l's runtime (call on the loop goroutine) and
// returns the fetch family, which the host uses to build Requests and read
// Responses.
func Install(l *loop.Loop, o Options) *fetch.API {
	vm := l.VM()
	console.Install(vm, func(level console.Level, line string) {
		if o.Console != nil {
			o.Console(string(level), line)
		}
	})
	global.Install(vm, func(v goja.Value) {
		if o.ReportError != nil {
			o.ReportError(v)
		}
	})
	cryptoAPI := crypto.Install(l)
	url.Install(vm)
	urlpattern.Install(vm)
	encoding.Install(vm)
	events.Install(l) // before fetch: every Request has an AbortSignal
	clone.Install(vm)
	messaging.Install(l)
	streams.Install(l)              // after encoding, events and clone; before fetch: bodies are streams
	compression.Install(l)          // after streams
	cryptoAPI.InstallDigestStream() // extends WritableStream
	f := fetch.Install(l, o.Fetch)
	cache.Install(l, cache.Options{Store: o.Cache}) // after fetch
	return f
}
