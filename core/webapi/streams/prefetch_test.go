package streams

import "testing"

// A hello Worker's start-up must not pay for the streams script; a Worker
// that reads a body or names a stream gets it compiled ahead.
func TestMayUseStreams(t *testing.T) {
	for _, c := range []struct {
		code string
		want bool
	}{
		{`export default { fetch() { return new Response("Hello") } }`, false},
		{`const r = await request.json(); return Response.json(r);`, false},
		{`_res = createResponseInstance(_res.body, _res);`, true}, // Hono setting a header after next()
		{`return new Response(readable.pipeThrough(new TextDecoderStream()))`, true},
		{`const { readable, writable } = new TransformStream();`, true},
	} {
		if got := mayUseStreams([]byte(c.code)); got != c.want {
			t.Errorf("mayUseStreams(%q) = %v, want %v", c.code, got, c.want)
		}
	}
}

// Prefetch and a runtime's first use of the script share one compile:
// racing them is safe (go test -race) and yields the same Program.
func TestPrefetchSharesTheCompile(t *testing.T) {
	Prefetch([]byte("new ReadableStream()"))
	p1, err := compiled()
	if err != nil {
		t.Fatal(err)
	}
	Prefetch([]byte("x.body"))
	if p2, _ := compiled(); p2 != p1 {
		t.Fatal("a second Prefetch compiled the script again")
	}
}
