package lambdaadapter

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ferry-run/ferry/core"
)

// httpFormat is the wire format of an HTTP event and of its response.
type httpFormat int

const (
	formatV2  httpFormat = iota // payload 2.0: function URL, API Gateway HTTP API
	formatV1                    // payload 1.0: API Gateway REST (and HTTP API with 1.0)
	formatALB                   // Application Load Balancer
)

func (f httpFormat) String() string {
	return [...]string{"payload 2.0", "API Gateway REST", "ALB"}[f]
}

// httpEvent is an HTTP request as an event carried it.
type httpEvent struct {
	format      httpFormat
	multiValue  bool // ALB target group with multi-value headers: answer in kind
	functionURL bool // a function URL (the only source that can stream)
	method      string
	url         string
	header      http.Header
	body        []byte // nil: no body
	protocol    string
}

type requestContext struct {
	DomainName string `json:"domainName"`
	Path       string `json:"path"`
	Protocol   string `json:"protocol"`
	HTTP       *struct {
		Method   string `json:"method"`
		Protocol string `json:"protocol"`
		SourceIP string `json:"sourceIp"`
	} `json:"http"`
	ELB *struct {
		TargetGroupArn string `json:"targetGroupArn"`
	} `json:"elb"`
	Identity struct {
		SourceIP string `json:"sourceIp"`
	} `json:"identity"`
}

// parseHTTP reads an API Gateway, function URL or ALB event.
func parseHTTP(top topLevel) (*httpEvent, error) {
	var rc requestContext
	if err := top.get("requestContext", &rc); err != nil {
		return nil, err
	}
	ev := &httpEvent{header: http.Header{}}
	var clientIP, host, scheme string
	switch {
	case top.has("rawPath") && rc.HTTP != nil:
		ev.format = formatV2
		ev.functionURL = strings.Contains(rc.DomainName, ".lambda-url.")
		var headers map[string]string
		if err := top.get("headers", &headers); err != nil {
			return nil, err
		}
		for k, v := range headers {
			ev.header[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
		}
		var cookies []string
		if err := top.get("cookies", &cookies); err != nil {
			return nil, err
		}
		if len(cookies) > 0 {
			ev.header.Set("Cookie", strings.Join(cookies, "; "))
		}
		ev.method, ev.protocol, clientIP = rc.HTTP.Method, rc.HTTP.Protocol, rc.HTTP.SourceIP
		scheme = "https"
		path := escapePath(top.str("rawPath"))
		if q := top.str("rawQueryString"); q != "" {
			path += "?" + q
		}
		host = hostOf(ev.header, rc.DomainName)
		ev.url = scheme + "://" + host + path
	case rc.ELB != nil || top.has("httpMethod"):
		ev.format = formatV1
		if rc.ELB != nil {
			ev.format = formatALB
		}
		ev.multiValue = top.has("multiValueHeaders")
		if ev.multiValue {
			var mv map[string][]string
			if err := top.get("multiValueHeaders", &mv); err != nil {
				return nil, err
			}
			for k, vs := range mv {
				ck := textproto.CanonicalMIMEHeaderKey(k)
				ev.header[ck] = append(ev.header[ck], vs...)
			}
		} else {
			var headers map[string]string
			if err := top.get("headers", &headers); err != nil {
				return nil, err
			}
			for k, v := range headers {
				ev.header[textproto.CanonicalMIMEHeaderKey(k)] = []string{v}
			}
		}
		ev.method = top.str("httpMethod")
		path := top.str("path")
		var query []pair
		var err error
		if top.has("multiValueQueryStringParameters") {
			query, err = orderedParams(top["multiValueQueryStringParameters"])
		} else {
			query, err = orderedParams(top["queryStringParameters"])
		}
		if err != nil {
			return nil, fmt.Errorf("ferry: reading the query of the Lambda event: %w", err)
		}
		if ev.format == formatALB {
			// ALB passes the path and query as the client sent them.
			scheme = strings.ToLower(ev.header.Get("X-Forwarded-Proto"))
			if scheme != "https" {
				scheme = "http"
			}
			clientIP = lastForwarded(ev.header.Get("X-Forwarded-For"))
			ev.protocol = "HTTP/1.1"
		} else {
			// API Gateway decodes them; requestContext.path is what the
			// client asked for, with the stage or base path.
			scheme = "https"
			if rc.Path != "" && strings.HasSuffix(rc.Path, path) {
				path = rc.Path
			}
			for i := range query {
				query[i].k, query[i].v = url.QueryEscape(query[i].k), url.QueryEscape(query[i].v)
			}
			clientIP = rc.Identity.SourceIP
			ev.protocol = rc.Protocol
		}
		host = hostOf(ev.header, rc.DomainName)
		ev.url = scheme + "://" + host + escapePath(path) + encodeQuery(query)
	default:
		return nil, fmt.Errorf("ferry: unrecognised Lambda HTTP event (top-level keys: %s): expected rawPath and requestContext.http (payload 2.0), requestContext.elb (ALB) or httpMethod (API Gateway REST)", top.keyList())
	}
	if ev.method == "" {
		return nil, fmt.Errorf("ferry: the %s event has no HTTP method", ev.format)
	}
	ev.header.Set("Host", host)
	if clientIP != "" {
		ev.header.Set("Cf-Connecting-Ip", clientIP)
		ev.header.Set("X-Real-Ip", clientIP)
	}
	ev.header.Set("X-Forwarded-Proto", scheme)

	if top.has("body") {
		var body string
		if err := top.get("body", &body); err != nil {
			return nil, err
		}
		var b []byte
		if ev64 := false; top.get("isBase64Encoded", &ev64) == nil && ev64 {
			var err error
			if b, err = decodeBase64(body); err != nil {
				return nil, fmt.Errorf("ferry: the event's body is marked base64 but is not: %w", err)
			}
		} else {
			b = []byte(body)
		}
		if len(b) > 0 {
			ev.body = b
		}
	}
	return ev, nil
}

func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b2, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err2 == nil {
			return b2, nil
		}
	}
	return b, err
}

func hostOf(h http.Header, domain string) string {
	if v := h.Get("Host"); v != "" {
		return v
	}
	if domain != "" {
		return domain
	}
	return "localhost"
}

// lastForwarded is the address that connected to the load balancer: the last
// entry of X-Forwarded-For, which the ALB appends.
func lastForwarded(xff string) string {
	if i := strings.LastIndexByte(xff, ','); i >= 0 {
		xff = xff[i+1:]
	}
	return strings.TrimSpace(xff)
}

// escapePath returns p when it is already a valid escaped path, else p
// percent-encoded as a decoded path.
func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
				i += 2
				continue
			}
			return (&url.URL{Path: p}).EscapedPath()
		}
		if !pathChar(c) {
			return (&url.URL{Path: p}).EscapedPath()
		}
	}
	return p
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// pathChar reports whether c may appear unescaped in a URL path (RFC 3986
// pchar and "/").
func pathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}

type pair struct{ k, v string }

// orderedParams reads a query parameter object, {"k": "v"} or
// {"k": ["v1", "v2"]}, keeping the order of its keys (Go maps would lose it,
// and URLSearchParams shows it).
func orderedParams(raw json.RawMessage) ([]pair, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("expected an object")
	}
	var out []pair
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case string:
			out = append(out, pair{k, v})
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("parameter %q: expected strings", k)
				}
				out = append(out, pair{k, s})
			}
		case nil:
		default:
			return nil, fmt.Errorf("parameter %q: expected a string or a list of strings", k)
		}
	}
	return out, nil
}

func encodeQuery(q []pair) string {
	if len(q) == 0 {
		return ""
	}
	var b strings.Builder
	for i, p := range q {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// serveHTTP runs the fetch event and encodes the response for the event's
// source.
func (h *Handler) serveHTTP(ctx context.Context, ev *httpEvent) (io.Reader, error) {
	start := time.Now()
	ectx, cancel := h.eventContext(ctx)
	id := requestID(ctx)
	req := &core.Request{Method: ev.method, URL: ev.url, Header: ev.header, CF: map[string]any{"httpProtocol": ev.protocol}}
	if ev.body != nil {
		req.Body = io.NopCloser(bytes.NewReader(ev.body))
	}
	res, err := h.w.Fetch(ectx, req)
	if err != nil {
		status, text := h.failure(ectx, err, id)
		cancel()
		h.logRequest(ev, status, start, id)
		return h.errorResponse(ev, status, text, id), nil
	}
	wait := h.waitFor(ectx, res.Done, cancel, id)
	status := res.Status
	if status == 0 {
		status = http.StatusOK
	}
	if h.stream && ev.functionURL {
		h.logRequest(ev, status, start, id)
		return h.streamResponse(ev, res, status, wait), nil
	}
	out, err := h.encodeResponse(ev, res, status)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, err.Error(), slog.String("request", id))
		status = http.StatusBadGateway
		out = h.encode(ev, status, "", http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, []byte(err.Error()+"\n"))
	}
	h.logRequest(ev, status, start, id)
	return jsonPayload(out, wait), nil
}

func (h *Handler) logRequest(ev *httpEvent, status int, start time.Time, id string) {
	path := ev.url
	if u, err := url.Parse(ev.url); err == nil {
		path = u.RequestURI()
	}
	h.log.LogAttrs(context.Background(), slog.LevelInfo, fmt.Sprintf("%s %s %d %s", ev.method, path, status, time.Since(start).Round(time.Microsecond)), slog.String("request", id))
}

// failure logs a failed event and returns the status and text to answer
// with, as Cloudflare words them.
func (h *Handler) failure(ctx context.Context, err error, id string) (int, string) {
	h.log.LogAttrs(ctx, slog.LevelError, err.Error(), slog.String("request", id))
	var se *core.ScriptError
	if errors.As(err, &se) {
		switch se.Kind {
		case "cpu", "wall":
			return http.StatusServiceUnavailable, "Worker exceeded resource limits"
		case "canceled":
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return http.StatusGatewayTimeout, "Worker did not respond before the Lambda function's timeout"
			}
		}
	}
	return http.StatusInternalServerError, "Worker threw exception"
}

func (h *Handler) errorResponse(ev *httpEvent, status int, title, id string) io.Reader {
	body := title + "\n"
	if id != "" {
		body = fmt.Sprintf("%s (request %s)\n", title, id)
	}
	hdr := http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
	if h.stream && ev.functionURL {
		return &streamResponse{LambdaFunctionURLStreamingResponse: &events.LambdaFunctionURLStreamingResponse{
			StatusCode: status, Headers: map[string]string{"content-type": "text/plain; charset=utf-8"}, Body: strings.NewReader(body),
		}}
	}
	return jsonPayload(h.encode(ev, status, "", hdr, []byte(body)), nil)
}

// errTooLarge is a buffered response over Lambda's payload limit.
type errTooLarge struct{ limit int }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("Ferry: the Worker's response is too large for AWS Lambda: a buffered response payload is limited to %d bytes (6 MB, after base64 for binary bodies). Stream large responses through a function URL in RESPONSE_STREAM mode (FERRY_INVOKE_MODE=RESPONSE_STREAM).", e.limit)
}

// encodeResponse reads the Worker's response body and encodes the response
// for the event's source, within the buffered payload limit.
func (h *Handler) encodeResponse(ev *httpEvent, res *core.Response, status int) ([]byte, error) {
	var body []byte
	if res.Body != nil {
		defer res.Body.Close()
		if ev.method != http.MethodHead {
			var err error
			body, err = io.ReadAll(io.LimitReader(res.Body, int64(h.limit)+1))
			if err != nil {
				return nil, fmt.Errorf("Ferry: reading the Worker's response body: %w", err)
			}
			if len(body) > h.limit {
				return nil, errTooLarge{limit: h.limit}
			}
		}
	}
	out := h.encode(ev, status, res.StatusText, res.Header, body)
	if len(out) > h.limit {
		return nil, errTooLarge{limit: h.limit}
	}
	return out, nil
}

// httpResponse is the response document of every HTTP event source; each
// uses a subset of the fields.
type httpResponse struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription,omitempty"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Cookies           []string            `json:"cookies,omitempty"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// encode builds the response document for the event's source.
func (h *Handler) encode(ev *httpEvent, status int, statusText string, hdr http.Header, body []byte) []byte {
	out := httpResponse{StatusCode: status}
	switch {
	case ev.format == formatV2:
		out.Headers = map[string]string{}
		for k, vs := range hdr {
			if k == "Set-Cookie" {
				out.Cookies = append(out.Cookies, vs...)
				continue
			}
			out.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
	case ev.format == formatV1 || ev.multiValue:
		out.MultiValueHeaders = map[string][]string{}
		for k, vs := range hdr {
			out.MultiValueHeaders[strings.ToLower(k)] = vs
		}
	default: // ALB with single-value headers
		out.Headers = map[string]string{}
		for k, vs := range hdr {
			if k == "Set-Cookie" {
				for i, v := range vs {
					out.Headers[caseVariant("set-cookie", i)] = v
				}
				continue
			}
			out.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
		}
	}
	if ev.format == formatALB {
		if statusText == "" {
			statusText = http.StatusText(status)
		}
		out.StatusDescription = strconv.Itoa(status) + " " + statusText
	}
	if len(body) > 0 {
		if isTextual(hdr.Get("Content-Type")) && utf8.Valid(body) {
			out.Body = string(body)
		} else {
			out.Body = base64.StdEncoding.EncodeToString(body)
			out.IsBase64Encoded = true
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out) // only strings, ints and bools: cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// caseVariant spells name with the letters of i's bits in upper case, so
// variant i != j for i, j < 2^letters. Variant 0 is name itself.
func caseVariant(name string, i int) string {
	b := []byte(name)
	bit := 0
	for j, c := range b {
		if 'a' <= c && c <= 'z' {
			if i&(1<<bit) != 0 {
				b[j] = c - 'a' + 'A'
			}
			bit++
		}
	}
	return string(b)
}

// isTextual reports whether a body of this media type is text that can go
// into the response JSON as a string.
func isTextual(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	switch mt {
	case "application/json", "application/javascript", "application/ecmascript", "application/xml",
		"application/x-www-form-urlencoded", "application/graphql", "application/x-ndjson",
		"application/manifest+json", "application/ld+json", "image/svg+xml":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

// streamResponse is a function URL response in RESPONSE_STREAM mode. Close,
// called by the runtime loop once the body has been sent, waits for the
// event's waitUntil work.
type streamResponse struct {
	*events.LambdaFunctionURLStreamingResponse
	body io.Closer
	wait func()
}

func (s *streamResponse) Close() error {
	if s.body != nil {
		s.body.Close()
		s.body = nil
	}
	if s.wait != nil {
		s.wait()
		s.wait = nil
	}
	return nil
}

func (h *Handler) streamResponse(ev *httpEvent, res *core.Response, status int, wait func()) *streamResponse {
	sr := &events.LambdaFunctionURLStreamingResponse{StatusCode: status, Headers: map[string]string{}}
	for k, vs := range res.Header {
		if k == "Set-Cookie" {
			sr.Cookies = append(sr.Cookies, vs...)
			continue
		}
		sr.Headers[strings.ToLower(k)] = strings.Join(vs, ", ")
	}
	s := &streamResponse{LambdaFunctionURLStreamingResponse: sr, wait: wait}
	if res.Body != nil {
		s.body = res.Body
		if ev.method != http.MethodHead {
			sr.Body = res.Body
		}
	}
	return s
}
