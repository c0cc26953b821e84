package gcf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-run/ferry/core"
)

// ServeHTTP is the HTTP function: the request is a fetch event.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req := &core.Request{Method: r.Method, URL: requestURL(r), Header: requestHeader(r), CF: map[string]any{"httpProtocol": r.Proto}}
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength != 0 || len(r.TransferEncoding) > 0) {
		req.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
		_ = http.NewResponseController(w).EnableFullDuplex()
	}
	res, err := h.w.Fetch(r.Context(), req)
	status := 0
	if err != nil {
		status = h.writeError(w, err)
	} else {
		status = res.Status
		if status == 0 {
			status = http.StatusOK
		}
		if berr := writeResponse(w, r, res, status); berr != nil {
			h.log.Error("the response body failed mid-stream: "+berr.Error(), slog.String("path", r.URL.Path))
		}
		// waitUntil work ends before the function returns: the platform
		// may stop giving the instance CPU once no request is in flight.
		<-res.Done
	}
	h.log.Info(fmt.Sprintf("%s %s %d %s", r.Method, r.URL.RequestURI(), status, time.Since(start).Round(time.Microsecond)))
}

// writeResponse writes the Worker's response. A body already in memory goes
// out with its Content-Length, so the client has all of it even while
// waitUntil work keeps the handler running; a streamed body is flushed
// chunk by chunk as the Worker produces it.
func writeResponse(w http.ResponseWriter, r *http.Request, res *core.Response, status int) error {
	hdr := w.Header()
	for k, vs := range res.Header {
		hdr[k] = vs
	}
	if res.Body == nil {
		w.WriteHeader(status)
		return nil
	}
	defer res.Body.Close()
	if !res.Streaming {
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if hdr.Get("Content-Length") == "" && status != http.StatusNoContent && status != http.StatusNotModified {
			hdr.Set("Content-Length", strconv.Itoa(len(b)))
		}
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(b)
		}
		return nil
	}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	stop := context.AfterFunc(r.Context(), func() { _ = res.Body.Close() })
	defer stop()
	rc := http.NewResponseController(w)
	buf := make([]byte, 32*1024)
	for {
		n, err := res.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil // the client went away
			}
			_ = rc.Flush()
		}
		switch {
		case err == io.EOF:
			return nil
		case err != nil && r.Context().Err() != nil:
			return nil
		case err != nil:
			return err
		}
	}
}

// writeError answers a failed fetch event as Cloudflare does (no stack: this
// is production) and returns the status.
func (h *Handler) writeError(w http.ResponseWriter, err error) int {
	var se *core.ScriptError
	status, title := http.StatusInternalServerError, "Worker threw exception"
	if errors.As(err, &se) && (se.Kind == "cpu" || se.Kind == "wall") {
		status, title = http.StatusServiceUnavailable, "Worker exceeded resource limits"
	}
	h.log.Error(err.Error())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, title)
	return status
}

// requestURL is the URL the client asked for: Google's front end terminates
// TLS and says so in X-Forwarded-Proto.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// requestHeader adds what Cloudflare adds: Host, CF-Connecting-IP and
// X-Real-IP (the first X-Forwarded-For address, set by Google's front end,
// else the peer), X-Forwarded-Proto.
func requestHeader(r *http.Request) http.Header {
	h := r.Header
	h.Set("Host", r.Host)
	ip := ""
	if xff := h.Get("X-Forwarded-For"); xff != "" {
		ip = strings.TrimSpace(strings.Split(xff, ",")[0])
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ip = host
	}
	if ip != "" {
		h.Set("Cf-Connecting-Ip", ip)
		h.Set("X-Real-Ip", ip)
	}
	if h.Get("X-Forwarded-Proto") == "" {
		if r.TLS != nil {
			h.Set("X-Forwarded-Proto", "https")
		} else {
			h.Set("X-Forwarded-Proto", "http")
		}
	}
	return h
}
