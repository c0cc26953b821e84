// Streaming responses: bodies flow chunk by chunk, never buffered whole.
// Run it with `ferry dev examples/streaming`, then:
//
//   curl -N http://127.0.0.1:8787/sse                       server-sent events, one every 100 ms
//   curl --compressed http://127.0.0.1:8787/proxy -o out     gzip on the fly over an upstream
//   curl http://127.0.0.1:8787/proxy?url=https://example.com  pass-through proxy of any URL
//   curl -N http://127.0.0.1:8787/tokens                    an AI-style token stream
//   curl --data-binary @file http://127.0.0.1:8787/upper    the request body, upper-cased as it streams
//
// The upstream of /proxy defaults to /upstream on this same Worker, a route
// that generates `size` bytes (default 10 MB) of text as the reader pulls.

const encoder = new TextEncoder();

// serverSentEvents emits `count` events, `interval` ms apart, through a
// TransformStream: the handler returns the readable side at once and the
// timer keeps writing after the response has started. A client that
// disconnects cancels the stream, which the writer notices.
function serverSentEvents(count, interval) {
  const { readable, writable } = new TransformStream();
  const writer = writable.getWriter();
  let i = 0;
  const timer = setInterval(() => {
    if (i === count) {
      clearInterval(timer);
      writer.close();
      return;
    }
    const event = `id: ${i}\nevent: tick\ndata: ${JSON.stringify({ i, t: Date.now() })}\n\n`;
    i++;
    writer.write(encoder.encode(event)).catch(() => {
      clearInterval(timer);
      console.log(`sse: the client went away after ${i} events`);
    });
  }, interval);
  return new Response(readable, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

// upstream generates `size` bytes of text, one 64 KiB chunk per pull, so a
// slow reader slows the generator down (backpressure); if the reader goes
// away, the log says how much it produced.
const block = encoder.encode("streaming example upstream, sixty-four bytes of text per line.\n".repeat(1024));
function upstream(size) {
  let sent = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const chunk = block.slice(0, Math.min(block.byteLength, size - sent));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      console.log(`upstream: cancelled after ${sent} bytes`);
    },
  });
}

// proxy fetches an upstream and streams it back, gzipped on the fly when the
// client accepts gzip; otherwise the upstream body passes through untouched
// (Ferry hands the upstream socket's reader to the server: no chunk goes
// through JavaScript).
async function proxy(request, url) {
  const target = url.searchParams.get("url") || new URL(`/upstream?size=${url.searchParams.get("size") || 10_000_000}`, url).href;
  const res = await fetch(target, { headers: { "accept-encoding": "identity" } });
  const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") || "") && url.searchParams.get("gzip") !== "0";
  if (!gzip || !res.body) return new Response(res.body, res);
  const headers = new Headers(res.headers);
  headers.set("content-encoding", "gzip");
  headers.delete("content-length");
  return new Response(res.body.pipeThrough(new CompressionStream("gzip")), { status: res.status, headers });
}

// tokens streams words as an LLM API would, from an async generator turned
// into a stream with ReadableStream.from.
async function* words() {
  for (const word of "Streams let a Worker answer before it has the whole answer .".split(" ")) {
    await new Promise((r) => setTimeout(r, 30));
    yield `data: ${JSON.stringify({ token: word })}\n\n`;
  }
  yield "data: [DONE]\n\n";
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/sse":
        return serverSentEvents(Number(url.searchParams.get("n") || 50), Number(url.searchParams.get("interval") || 100));
      case "/upstream":
        return new Response(upstream(Number(url.searchParams.get("size") || 10_000_000)), {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      case "/proxy":
        return proxy(request, url);
      case "/tokens":
        return new Response(ReadableStream.from(words()).pipeThrough(new TextEncoderStream()), {
          headers: { "content-type": "text/event-stream" },
        });
      case "/upper":
        if (!request.body) return new Response("send a body\n", { status: 400 });
        return new Response(
          request.body
            .pipeThrough(new TextDecoderStream())
            .pipeThrough(new TransformStream({ transform(text, c) { c.enqueue(text.toUpperCase()); } }))
            .pipeThrough(new TextEncoderStream()),
          { headers: { "content-type": "text/plain; charset=utf-8" } },
        );
      case "/broken":
        // A stream that fails halfway: the client gets the first part, then
        // the connection is cut, and the log says why.
        return new Response(new ReadableStream({
          start(c) { c.enqueue(encoder.encode("partial output\n")); },
          pull(c) { return new Promise((_, reject) => setTimeout(() => reject(new Error("the generator broke")), 20)); },
        }));
      default:
        return new Response("routes: /sse /proxy /upstream /tokens /upper /broken\n", { status: 404 });
    }
  },
};
