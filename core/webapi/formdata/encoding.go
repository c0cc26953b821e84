package formdata

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/ferry-run/ferry/core/js"
)

// Multipart serialises the entries with the HTML standard's multipart/form-data
// encoding algorithm and returns the body and its Content-Type (with a fresh
// random boundary). Names and string values get their line breaks normalised to
// CRLF; in names and filenames, CR, LF and '"' are percent-escaped (%0D, %0A,
// %22) as browsers send them. A File without a type is sent as
// application/octet-stream.
func (f *FormData) Multipart() (body []byte, contentType string) {
	// Room for each part's delimiter line (a 60-character boundary) and
	// headers, so a large file is copied once, not regrown.
	size := 128
	for _, e := range f.entries {
		size += 256 + len(e.Name) + len(e.Value)
		if e.File != nil {
			size += len(e.File.Bytes()) + len(e.File.Name())
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	w := multipart.NewWriter(buf)
	for _, e := range f.entries {
		h := make(textproto.MIMEHeader, 2)
		disp := `form-data; name="` + escapeName(normalizeNewlines(e.Name)) + `"`
		if e.File != nil {
			h["Content-Disposition"] = []string{disp + `; filename="` + escapeName(e.File.Name()) + `"`}
			ct := e.File.Type()
			if ct == "" {
				ct = "application/octet-stream"
			}
			h["Content-Type"] = []string{ct}
		} else {
			h["Content-Disposition"] = []string{disp}
		}
		// Writes to a bytes.Buffer cannot fail.
		pw, _ := w.CreatePart(h)
		if e.File != nil {
			_, _ = pw.Write(e.File.Bytes())
		} else {
			_, _ = io.WriteString(pw, normalizeNewlines(e.Value))
		}
	}
	_ = w.Close()
	return buf.Bytes(), "multipart/form-data; boundary=" + w.Boundary()
}

var nameEscaper = strings.NewReplacer("\n", "%0A", "\r", "%0D", `"`, "%22")

func escapeName(s string) string {
	if strings.ContainsAny(s, "\r\n\"") {
		return nameEscaper.Replace(s)
	}
	return s
}

// normalizeNewlines replaces every CR not followed by LF and every LF not
// preceded by CR with CRLF.
func normalizeNewlines(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\r':
			b.WriteString("\r\n")
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case '\n':
			b.WriteString("\r\n")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Part is one entry parsed from a body: a field (Value) or a file (Filename,
// Type, Data).
type Part struct {
	Name     string
	Value    string
	IsFile   bool
	Filename string
	Type     string
	Data     []byte
}

// The errors Parse returns carry workerd's messages (the fetch family throws
// them as TypeErrors), since Workers code and tests match on them.
var (
	ErrNoContentType      = errors.New("Parsing a Body as FormData requires a Content-Type header.")
	ErrUnsupportedType    = errors.New("Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded")
	ErrNoBoundary         = errors.New("No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.")
	ErrBoundaryLength     = errors.New("Length of multipart/form-data boundary string must be in the range [1, 70].")
	ErrNoInitialBoundary  = errors.New("No initial boundary string (or you have a truncated message).")
	ErrNoNextBoundary     = errors.New("No subsequent boundary string after multipart message.")
	ErrPartHeaders        = errors.New("FormData part had invalid headers.")
	ErrNoDisposition      = errors.New("No valid Content-Disposition header found in FormData part.")
	ErrInvalidDisposition = errors.New("Invalid Content-Disposition header found in FormData part.")
	ErrNoName             = errors.New("Content-Disposition header in FormData part is missing a name.")
)

// Parse parses a body as FormData entries according to its Content-Type
// (contentType "" means the header is missing): multipart/form-data or
// application/x-www-form-urlencoded. Other types and malformed bodies give one
// of the Err values above (or an error starting with "Content-Disposition
// header for FormData part must have the value").
func Parse(contentType string, body []byte) ([]Part, error) {
	if strings.TrimSpace(contentType) == "" {
		return nil, ErrNoContentType
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return nil, ErrUnsupportedType
	}
	switch mediaType {
	case "multipart/form-data":
		boundary, ok := params["boundary"]
		if !ok {
			return nil, ErrNoBoundary
		}
		if len(boundary) < 1 || len(boundary) > 70 {
			return nil, ErrBoundaryLength
		}
		return parseMultipart(body, boundary)
	case "application/x-www-form-urlencoded":
		return ParseURLEncoded(body), nil
	}
	return nil, ErrUnsupportedType
}

func parseMultipart(body []byte, boundary string) ([]Part, error) {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []Part
	for {
		// NextRawPart: browsers do not decode Content-Transfer-Encoding, so
		// neither does Ferry.
		p, err := r.NextRawPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			switch {
			case parts == nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)):
				return nil, ErrNoInitialBoundary
			case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
				return nil, ErrNoNextBoundary
			}
			return nil, ErrPartHeaders
		}
		part, err := readPart(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
	}
}

func readPart(p *multipart.Part) (Part, error) {
	cd := p.Header.Get("Content-Disposition")
	if cd == "" {
		return Part{}, ErrNoDisposition
	}
	disp, params, err := mime.ParseMediaType(cd)
	if err != nil {
		return Part{}, ErrInvalidDisposition
	}
	if disp != "form-data" {
		return Part{}, errors.New(`Content-Disposition header for FormData part must have the value "form-data", possibly followed by parameters. Got: "` + cd + `"`)
	}
	name, ok := params["name"]
	if !ok {
		return Part{}, ErrNoName
	}
	data, err := io.ReadAll(p)
	if err != nil {
		return Part{}, ErrNoNextBoundary
	}
	part := Part{Name: js.DecodeUTF8([]byte(name))}
	filename, isFile := params["filename"]
	if !isFile {
		part.Value = js.DecodeUTF8(data)
		return part, nil
	}
	part.IsFile = true
	part.Filename = js.DecodeUTF8([]byte(filename))
	part.Data = data
	// The Fetch standard's default for a file part without a Content-Type
	// (RFC 7578, section 4.4).
	part.Type = "text/plain"
	if ct := p.Header.Get("Content-Type"); ct != "" {
		part.Type = ct
	}
	return part, nil
}

// ParseURLEncoded is the URL standard's application/x-www-form-urlencoded
// parser: sequences split on '&' (empty ones skipped), name and value split on
// the first '=', '+' becomes a space, percent-escapes are decoded, and the
// bytes are decoded as UTF-8 with replacement.
func ParseURLEncoded(body []byte) []Part {
	var parts []Part
	for len(body) > 0 {
		seq := body
		if i := bytes.IndexByte(body, '&'); i >= 0 {
			seq, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		if len(seq) == 0 {
			continue
		}
		name, value, _ := bytes.Cut(seq, []byte{'='})
		parts = append(parts, Part{Name: js.FormDecode(string(name)), Value: js.FormDecode(string(value))})
	}
	return parts
}
