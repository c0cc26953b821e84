// The Worker bench/streams measures: a pass-through proxy, a gzip-on-the-fly
// proxy and server-sent events.
const encoder = new TextEncoder();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const target = url.searchParams.get("url");
    switch (url.pathname) {
      case "/proxy": {
        const res = await fetch(target);
        return new Response(res.body, res);
      }
      case "/gzip": {
        const res = await fetch(target);
        return new Response(res.body.pipeThrough(new CompressionStream("gzip")), {
          headers: { "content-type": "application/octet-stream", "content-encoding": "gzip" },
        });
      }
      case "/sse": {
        const count = Number(url.searchParams.get("n") || 50);
        const interval = Number(url.searchParams.get("interval") || 100);
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        let i = 0;
        const timer = setInterval(() => {
          if (i === count) {
            clearInterval(timer);
            writer.close();
            return;
          }
          writer.write(encoder.encode(`data: ${JSON.stringify({ i: i++, t: Date.now() })}\n\n`)).catch(() => clearInterval(timer));
        }, interval);
        return new Response(readable, { headers: { "content-type": "text/event-stream" } });
      }
      default:
        return new Response("ok\n");
    }
  },
};
