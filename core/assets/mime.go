package assets

import (
	"mime"
	"path"
	"strings"
)

// types maps extensions to the Content-Type wrangler uploads an asset with
// (the `mime` package's table). It is fixed here rather than read from the
// host's /etc/mime.types, so a site is served the same on every machine.
var types = map[string]string{
	".html": "text/html", ".htm": "text/html", ".shtml": "text/html",
	".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "application/node",
	".json": "application/json", ".map": "application/json", ".jsonld": "application/ld+json",
	".webmanifest": "application/manifest+json", ".xml": "application/xml", ".txt": "text/plain",
	".md": "text/markdown", ".csv": "text/csv", ".ics": "text/calendar", ".yaml": "text/yaml", ".yml": "text/yaml",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/vnd.microsoft.icon",
	".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".eot": "application/vnd.ms-fontobject",
	".wasm": "application/wasm", ".pdf": "application/pdf", ".zip": "application/zip", ".gz": "application/gzip",
	".tar": "application/x-tar", ".mp4": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg",
	".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".wav": "audio/wav", ".m4a": "audio/mp4", ".flac": "audio/x-flac",
	".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xhtml": "application/xhtml+xml",
}

// contentType is an asset's Content-Type: by extension, text types with
// `; charset=utf-8` as wrangler adds it, application/octet-stream when unknown.
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	t, ok := types[ext]
	if !ok {
		t = mime.TypeByExtension(ext)
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
	}
	if t == "" {
		return "application/octet-stream"
	}
	if strings.HasPrefix(t, "text/") {
		t += "; charset=utf-8"
	}
	return t
}
