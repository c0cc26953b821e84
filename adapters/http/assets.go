package httpadapter

import (
	"io"
	"net/http"

	"github.com/ferry-run/ferry/core"
	"github.com/ferry-run/ferry/core/assets"
)

// serveAssets answers r from the Worker's static assets when Cloudflare's
// routing would (an asset matches, or a navigation fallback page, or there is
// no fetch handler), and reports whether it did. Otherwise the request goes
// to the Worker.
func serveAssets(w *statusWriter, r *http.Request, wk *core.Worker) bool {
	s := wk.Assets()
	if s == nil {
		return false
	}
	res := s.Route(&assets.Request{Method: r.Method, URL: requestURL(r), Header: r.Header}, wk.HasHandler("fetch"))
	if res == nil {
		return false
	}
	hdr := w.Header()
	for k, vs := range res.Header {
		hdr[k] = vs
	}
	w.WriteHeader(res.Status)
	if res.Body != nil {
		defer res.Body.Close()
		if r.Method != http.MethodHead {
			_, _ = io.Copy(w, res.Body)
		}
	}
	return true
}
