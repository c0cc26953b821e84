package compression

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/andybalholm/brotli"
)

// A codec turns a stream of input chunks into output chunks. write may return
// several pieces; finish flushes the end of the stream; abort releases the
// codec when the stream is cancelled. All three run on the loop goroutine,
// and p is only read during the call (it may alias JS memory).
type codec interface {
	write(p []byte) ([][]byte, error)
	finish() ([][]byte, error)
	abort()
}

// Errors a DecompressionStream fails with (as TypeErrors).
var (
	errTruncated = errors.New("the compressed data ended too early")
	errTrailing  = errors.New("there is data after the end of the compressed stream")
)

// formats are the CompressionFormat values: the standard's three, and Brotli
// ("br" as in Content-Encoding, "brotli" as in the format proposal).
var formats = map[string]bool{"gzip": true, "deflate": true, "deflate-raw": true, "br": true, "brotli": true}

func newCompressor(format string) codec {
	c := &compressor{}
	switch format {
	case "gzip":
		c.w, _ = gzip.NewWriterLevel(&c.out, gzip.DefaultCompression)
	case "deflate":
		c.w, _ = zlib.NewWriterLevel(&c.out, zlib.DefaultCompression)
	case "deflate-raw":
		c.w, _ = flate.NewWriter(&c.out, flate.DefaultCompression)
	default: // br, brotli
		c.w = brotli.NewWriterLevel(&c.out, brotliLevel)
	}
	return c
}

// brotliLevel trades speed for size on the fly: quality 5 is where Brotli
// beats gzip -6 on size at a similar speed; 11 (the maximum) is for
// precompressed files, far too slow for streams.
const brotliLevel = 5

func newDecompressor(format string) codec {
	switch format {
	case "gzip":
		return newInflater(func(r io.Reader) (io.Reader, error) {
			z, err := gzip.NewReader(r)
			if err != nil {
				return nil, err
			}
			z.Multistream(false) // data after the first member is an error, as in browsers
			return z, nil
		})
	case "deflate":
		return newInflater(func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) })
	case "deflate-raw":
		return newInflater(func(r io.Reader) (io.Reader, error) { return flate.NewReader(r), nil })
	default:
		d := &brotliDecoder{}
		d.r = brotli.NewReader(&d.src)
		return d
	}
}

// collector is an io.Writer that gathers output for the next hand-off.
type collector struct{ b []byte }

func (c *collector) Write(p []byte) (int, error) {
	c.b = append(c.b, p...)
	return len(p), nil
}

func (c *collector) take() [][]byte {
	if len(c.b) == 0 {
		return nil
	}
	b := c.b
	c.b = nil
	return [][]byte{b}
}

// compressor wraps a compress/* writer: push-style already.
type compressor struct {
	w   io.WriteCloser
	out collector
}

func (c *compressor) write(p []byte) ([][]byte, error) {
	if _, err := c.w.Write(p); err != nil {
		return nil, err
	}
	return c.out.take(), nil
}

func (c *compressor) finish() ([][]byte, error) {
	if err := c.w.Close(); err != nil {
		return nil, err
	}
	return c.out.take(), nil
}

func (c *compressor) abort() {}

// pieceSize bounds the output chunks a decompressor hands to JS, so a small
// input that inflates to megabytes arrives as many chunks.
const pieceSize = 64 << 10

// pieces accumulates decoded bytes in chunks of at most pieceSize.
type pieces struct {
	done [][]byte
	cur  []byte
}

// space returns room to decode into, at the end of the current piece.
func (p *pieces) space() []byte {
	if p.cur == nil || len(p.cur) == cap(p.cur) {
		if p.cur != nil {
			p.done = append(p.done, p.cur)
		}
		size := 8 << 10
		if len(p.done) > 0 {
			size = pieceSize
		}
		p.cur = make([]byte, 0, size)
	}
	return p.cur[len(p.cur):cap(p.cur)]
}

func (p *pieces) grow(n int) { p.cur = p.cur[:len(p.cur)+n] }

// append copies b into the pieces.
func (p *pieces) append(b []byte) {
	for len(b) > 0 {
		n := copy(p.space(), b)
		p.grow(n)
		b = b[n:]
	}
}

func (p *pieces) take() [][]byte {
	if len(p.cur) > 0 {
		p.done = append(p.done, p.cur)
	}
	out := p.done
	p.done, p.cur = nil, nil
	return out
}

// brotliDecoder drives andybalholm/brotli's Reader push-style: its source
// answers (0, nil) when the current chunk is used up, which the Reader passes
// through without losing its state, so no goroutine is needed.
type brotliDecoder struct {
	src   pushSource
	r     *brotli.Reader
	out   pieces
	ended bool
}

type pushSource struct {
	data []byte
	eof  bool
}

func (s *pushSource) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		if s.eof {
			return 0, io.EOF
		}
		return 0, nil
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

func (d *brotliDecoder) write(p []byte) ([][]byte, error) {
	d.src.data = p
	defer func() { d.src.data = nil }()
	return d.drain()
}

func (d *brotliDecoder) drain() ([][]byte, error) {
	for {
		buf := d.out.space()
		n, err := d.r.Read(buf)
		d.out.grow(n)
		switch {
		case err == io.EOF:
			return d.out.take(), nil
		case err == io.ErrUnexpectedEOF:
			return nil, errTruncated
		case err != nil && err.Error() == "brotli: excessive input":
			return nil, errTrailing
		case err != nil:
			return nil, err
		case n == 0 && len(d.src.data) == 0:
			return d.out.take(), nil
		}
	}
}

func (d *brotliDecoder) finish() ([][]byte, error) {
	d.src.eof = true
	return d.drain()
}

func (d *brotliDecoder) abort() {}

// inflater runs one of the standard library's pull-style decompressors on a
// goroutine and hands it input chunk by chunk, synchronously: write sends a
// chunk and waits until the decompressor has used all of it (it asks for more
// input) or the compressed stream has ended, and returns what it produced.
// compress/flate keeps its first read error forever, so it cannot be fed
// push-style from one goroutine.
//
// The goroutine touches the chunk only while write waits, so a chunk that
// aliases JS memory is never read concurrently with JS.
type inflater struct {
	newReader func(io.Reader) (io.Reader, error)
	g         *gate
	running   bool
	ended     bool
	err       error
}

// gate is the channels between the loop and the decoding goroutine. It is
// separate from inflater so that the cleanup below, which closes it when a
// stream is dropped unfinished, does not keep the inflater alive.
type gate struct {
	in     chan []byte
	out    chan reply
	closed sync.Once
}

func (g *gate) close() { g.closed.Do(func() { close(g.in) }) }

type reply struct {
	out      [][]byte
	ended    bool // the compressed stream ended (no error)
	leftover bool // input remained after the end
	err      error
}

func newInflater(newReader func(io.Reader) (io.Reader, error)) *inflater {
	d := &inflater{newReader: newReader, g: &gate{in: make(chan []byte), out: make(chan reply, 1)}}
	runtime.AddCleanup(d, func(g *gate) { g.close() }, d.g)
	return d
}

func (d *inflater) write(p []byte) ([][]byte, error) {
	switch {
	case d.err != nil:
		return nil, d.err
	case len(p) == 0:
		return nil, nil
	case d.ended:
		d.err = errTrailing
		return nil, d.err
	}
	if !d.running {
		d.running = true
		go decode(d.newReader, d.g, p)
	} else {
		d.g.in <- p
	}
	return d.result(<-d.g.out)
}

func (d *inflater) result(r reply) ([][]byte, error) {
	switch {
	case r.err != nil:
		d.err = r.err
	case r.ended:
		d.ended = true
		if r.leftover {
			d.err = errTrailing
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return r.out, nil
}

func (d *inflater) finish() ([][]byte, error) {
	switch {
	case d.err != nil:
		return nil, d.err
	case d.ended:
		return nil, nil
	case !d.running:
		d.err = errTruncated // no input at all
		return nil, d.err
	}
	d.g.close()
	out, err := d.result(<-d.g.out)
	if err == nil && !d.ended {
		d.err = errTruncated
		return nil, d.err
	}
	return out, err
}

func (d *inflater) abort() {
	if d.running && !d.ended && d.err == nil {
		d.g.close()
		<-d.g.out
		d.err = errors.New("the stream was cancelled")
	}
}

// decode is the goroutine: it reads the decompressor to its end, asking the
// loop for input through src, and answers the last request with the outcome.
func decode(newReader func(io.Reader) (io.Reader, error), g *gate, first []byte) {
	src := &chanSource{g: g, cur: first}
	var r reply
	dec, err := newReader(src)
	if err == nil {
		// Decode into a scratch buffer: src hands the output gathered so far
		// to the loop from inside Read, so Read must not write into it.
		buf := make([]byte, 32<<10)
		for {
			n, rerr := dec.Read(buf)
			src.out.append(buf[:n])
			if rerr == io.EOF {
				r.ended = true
				break
			}
			if rerr != nil {
				err = rerr
				break
			}
		}
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = errTruncated
	}
	r.err = err
	r.out = src.out.take()
	r.leftover = len(src.cur) > 0
	g.out <- r
}

// chanSource is the decompressor's input: the current chunk, and on running
// out, a reply to the waiting write (with the output so far) and the next
// chunk. It implements io.ByteReader so the decompressors read exactly what
// they need and never buffer ahead.
type chanSource struct {
	g   *gate
	cur []byte
	out pieces
	eof bool
}

func (s *chanSource) next() bool {
	for len(s.cur) == 0 {
		if s.eof {
			return false
		}
		s.g.out <- reply{out: s.out.take()}
		chunk, ok := <-s.g.in
		if !ok {
			s.eof = true
			return false
		}
		s.cur = chunk
	}
	return true
}

func (s *chanSource) Read(p []byte) (int, error) {
	if !s.next() {
		return 0, io.EOF
	}
	n := copy(p, s.cur)
	s.cur = s.cur[n:]
	return n, nil
}

func (s *chanSource) ReadByte() (byte, error) {
	if !s.next() {
		return 0, io.EOF
	}
	b := s.cur[0]
	s.cur = s.cur[1:]
	return b, nil
}
