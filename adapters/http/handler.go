// Package httpadapter serves a core.Worker over net/http: it turns each HTTP
// request into a fetch event, writes the Worker's Response back, renders
// failures as 500s (with the source-mapped stack in dev), logs one line per
// request, runs cron triggers on schedule and answers `/__scheduled` in dev.
//
// The Worker behind a Handler can be swapped at any time (dev rebuilds):
// requests already running finish on the Worker they started on.
package httpadapter

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-run/ferry/core"
)

// Handler is an http.Handler around a swappable Worker.
type Handler struct {
	// Dev shows stacks in error pages and enables /__scheduled.
	Dev bool
	// TestScheduled enables /__scheduled without Dev (ferry serve --test-scheduled).
	TestScheduled bool
	// Log receives one line per request and failures; nil discards.
	Log *slog.Logger
	// MaxBody bounds request bodies (bytes); 0 means 100 MiB.
	MaxBody int64

	current atomic.Pointer[version]
}

// version is one Worker with a count of the requests using it, so a swapped-out
// Worker is closed only after its last request.
type version struct {
	w    *core.Worker
	refs sync.WaitGroup
}

// Swap makes w serve new requests and closes the previous Worker once its
// requests (and their waitUntil work) have finished. Close happens in the
// background; Swap returns at once.
func (h *Handler) Swap(w *core.Worker) {
	old := h.current.Swap(&version{w: w})
	if old != nil {
		go func() {
			old.refs.Wait()
			old.w.Close()
		}()
	}
}

// Worker returns the Worker serving new requests (nil before the first Swap).
func (h *Handler) Worker() *core.Worker {
	if v := h.current.Load(); v != nil {
		return v.w
	}
	return nil
}

// Close closes the current Worker after its requests finish.
func (h *Handler) Close() {
	if v := h.current.Swap(nil); v != nil {
		v.refs.Wait()
		v.w.Close()
	}
}

// acquire returns the current version with a reference held.
func (h *Handler) acquire() *version {
	for {
		v := h.current.Load()
		if v == nil {
			return nil
		}
		v.refs.Add(1)
		if h.current.Load() == v {
			return v
		}
		v.refs.Done() // swapped meanwhile: retry on the new one
	}
}

// discard is the logger of a Handler without Log.
var discard = slog.New(slog.DiscardHandler)

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return discard
	}
	return h.Log
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	v := h.acquire()
	if v == nil {
		http.Error(w, "Ferry: no Worker is loaded (the last build failed; see the log)", http.StatusServiceUnavailable)
		return
	}
	rw := &statusWriter{ResponseWriter: w}
	id := newRequestID()
	ctx := core.WithRequestID(r.Context(), id)
	detached := false
	var bodyErr error
	if (h.Dev || h.TestScheduled) && r.URL.Path == "/__scheduled" {
		h.serveScheduled(ctx, rw, r, v.w)
	} else if serveAssets(rw, r, v.w) {
		// Static assets answer before the Worker, as on Cloudflare.
	} else {
		detached, bodyErr = h.serveFetch(ctx, rw, r, v, id)
	}
	if !detached {
		v.refs.Done()
	}
	if lg := h.log(); lg.Enabled(ctx, slog.LevelInfo) {
		// Formatted only when kept: `--log-level error` (the benchmarks')
		// costs no line per request.
		lg.LogAttrs(ctx, slog.LevelInfo, fmt.Sprintf("%s %s %d %s", r.Method, r.URL.RequestURI(), rw.status(), time.Since(start).Round(time.Microsecond)),
			slog.String("request", id))
	}
	switch {
	case errors.Is(bodyErr, errClientGone):
		h.log().LogAttrs(ctx, slog.LevelInfo, "the client disconnected before the response body was complete; its stream was cancelled", slog.String("request", id))
	case bodyErr != nil:
		// The status line is out: cut the connection so the client sees a
		// broken response rather than a complete-looking short one.
		h.log().LogAttrs(ctx, slog.LevelError, "the response body failed mid-stream, closing the connection: "+bodyErr.Error(), slog.String("request", id))
		panic(http.ErrAbortHandler)
	}
}

// serveFetch runs the fetch event. It reports true when it handed the version
// reference to a goroutine that waits for the event's waitUntil work, and why
// the response body stopped early, if it did (see writeResponse).
func (h *Handler) serveFetch(ctx context.Context, w *statusWriter, r *http.Request, v *version, id string) (bool, error) {
	req := &core.Request{Method: r.Method, URL: requestURL(r), Header: requestHeader(r), CF: map[string]any{
		"httpProtocol": r.Proto,
	}}
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength != 0 || len(r.TransferEncoding) > 0) {
		limit := h.MaxBody
		if limit <= 0 {
			limit = 100 << 20
		}
		req.Body = http.MaxBytesReader(w, r.Body, limit)
		// The Worker may answer while it still reads the request (a body
		// piped into the response): HTTP/1 needs full duplex for that, or
		// the server ends the request body at the first flush.
		_ = http.NewResponseController(w.ResponseWriter).EnableFullDuplex()
	}
	res, err := v.w.Fetch(ctx, req)
	if err != nil {
		h.writeError(w, r, id, err)
		return false, nil
	}
	err = writeResponse(w, r, res)
	// Keep the Worker open until waitUntil work ends, even if it is swapped
	// out. Most events are over once their response is written: the caller
	// then releases the reference, and no goroutine waits.
	select {
	case <-res.Done:
		return false, err
	default:
	}
	go func() {
		<-res.Done
		v.refs.Done()
	}()
	return true, err
}

// errClientGone reports a response cut short because the client went away.
var errClientGone = errors.New("the client went away")

// writeResponse writes the Worker's response, sending each chunk of the body
// as soon as the Worker produces it (flushed: server-sent events and other
// streams reach the client at once). A client that goes away closes the body
// even while a read waits, which cancels a JS stream and the fetches feeding
// it; writeResponse then returns errClientGone. Any other error is the body's
// own (a stream that errored, an upstream that broke).
func writeResponse(w *statusWriter, r *http.Request, res *core.Response) error {
	hdr := w.Header()
	for k, vs := range res.Header {
		hdr[k] = vs
	}
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	if res.Body == nil {
		w.WriteHeader(status)
		return nil
	}
	defer res.Body.Close()
	if !res.Streaming {
		// The body is in memory: one write with its Content-Length. Flushing
		// it like a stream made every response chunked, and two writes (the
		// data, then the last chunk) — two system calls per request. A body
		// that can hand over its bytes is not copied.
		var b []byte
		if whole, ok := res.Body.(interface{ Bytes() []byte }); ok {
			b = whole.Bytes()
		} else {
			var err error
			if b, err = io.ReadAll(res.Body); err != nil {
				return err
			}
		}
		if bodyAllowed(status) {
			hdr["Content-Length"] = []string{strconv.Itoa(len(b))}
		}
		w.WriteHeader(status)
		if r.Method != http.MethodHead && len(b) > 0 {
			if _, werr := w.Write(b); werr != nil {
				return errClientGone
			}
		}
		return nil
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	stop := context.AfterFunc(r.Context(), func() { _ = res.Body.Close() })
	defer stop()
	flusher, _ := w.ResponseWriter.(http.Flusher)
	buf := make([]byte, 32*1024)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return errClientGone
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil && r.Context().Err() != nil:
			return errClientGone
		case err != nil:
			return err
		}
	}
}

// writeError answers a failed event: 500 with Cloudflare's wording, plus the
// stack in dev (HTML for browsers, text otherwise).
func (h *Handler) writeError(w *statusWriter, r *http.Request, id string, err error) {
	var se *core.ScriptError
	status := http.StatusInternalServerError
	title := "Worker threw exception"
	if errors.As(err, &se) {
		switch se.Kind {
		case "cpu":
			title = "Worker exceeded resource limits"
			status = http.StatusServiceUnavailable
		case "wall":
			title = "Worker exceeded resource limits"
			status = http.StatusServiceUnavailable
		case "canceled":
			// The client is gone; nothing to write.
			h.log().LogAttrs(r.Context(), slog.LevelWarn, err.Error(), slog.String("request", id))
			w.code = 499
			return
		}
	}
	h.log().LogAttrs(r.Context(), slog.LevelError, err.Error(), slog.String("request", id))
	detail := ""
	if h.Dev {
		detail = err.Error()
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><title>%s</title><h1>%s</h1><p>Request %s</p>", html.EscapeString(title), html.EscapeString(title), html.EscapeString(id))
		if detail != "" {
			fmt.Fprintf(w, "<pre>%s</pre>", html.EscapeString(detail))
		}
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%s (request %s)\n", title, id)
	if detail != "" {
		fmt.Fprintf(w, "\n%s\n", detail)
	}
}

// serveScheduled implements `GET /__scheduled?cron=EXPR` like
// `wrangler dev --test-scheduled`.
func (h *Handler) serveScheduled(ctx context.Context, w *statusWriter, r *http.Request, wk *core.Worker) {
	cron := r.URL.Query().Get("cron")
	at := time.Now()
	if err := wk.Scheduled(ctx, cron, at); err != nil {
		h.writeError(w, r, "", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "Ran scheduled event\n")
}

// requestURL rebuilds the absolute URL the client asked for.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// requestHeader returns the headers the Worker sees: the client's, plus host
// and the cf-connecting-ip / x-forwarded-proto / x-real-ip headers Cloudflare adds.
func requestHeader(r *http.Request) http.Header {
	h := r.Header
	// One array backs the four values (http.Header.Set allocates a slice
	// for each); the keys are already canonical.
	vals := [4]string{r.Host, "", "", "http"}
	set := func(i int, key string) { h[key] = vals[i : i+1 : i+1] }
	set(0, "Host")
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		vals[1], vals[2] = ip, ip
		set(1, "Cf-Connecting-Ip")
		set(2, "X-Real-Ip")
	}
	if r.TLS != nil {
		vals[3] = "https"
	}
	set(3, "X-Forwarded-Proto")
	return h
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

var reqSeq atomic.Uint64

// newRequestID returns "<unix ms in hex>-<sequence, 4 hex digits>".
func newRequestID() string {
	var b [24]byte
	out := strconv.AppendInt(b[:0], time.Now().UnixMilli(), 16)
	seq := reqSeq.Add(1) & 0xffff
	out = append(out, '-', hexDigit[seq>>12], hexDigit[seq>>8&0xf], hexDigit[seq>>4&0xf], hexDigit[seq&0xf])
	return string(out)
}

const hexDigit = "0123456789abcdef"

// bodyAllowed reports whether a response with this status may have a body
// (and so a Content-Length): not 1xx, 204 or 304.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
