// The API of a static site. public/ is served before this Worker runs; it
// only sees requests that match no file.

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/api/hello":
        return Response.json({ hello: "world", method: request.method });
      case "/api/page-info": {
        // Read a page through the assets binding: same ETag and Content-Type
        // a browser gets.
        const res = await env.ASSETS.fetch(new URL("/about", request.url));
        const html = await res.text();
        return Response.json({
          status: res.status,
          etag: res.headers.get("etag"),
          contentType: res.headers.get("content-type"),
          title: /<title>(.*?)<\/title>/.exec(html)?.[1] ?? null,
        });
      }
      case "/api/stats":
        return stats(request, env, ctx);
    }
    if (url.pathname.startsWith("/api/")) {
      return Response.json({ error: `no API at ${url.pathname}` }, { status: 404 });
    }
    // Not a file and not the API: the assets' own answer (the 404 page),
    // marked so a test can tell the Worker ran.
    const res = await env.ASSETS.fetch(request);
    const out = new Response(res.body, res);
    out.headers.set("x-served-by", "worker");
    return out;
  },
};

// stats is an expensive computation (counting the site's pages) cached with
// the Cache API: the first request computes and stores it for 60 seconds,
// later ones are answered from the cache (cf-cache-status: HIT).
async function stats(request, env, ctx) {
  const cache = caches.default;
  const key = new Request(new URL("/api/stats", request.url));
  const hit = await cache.match(key);
  if (hit) return hit;
  const pages = ["/", "/about", "/docs/", "/docs/getting-started"];
  let bytes = 0;
  for (const p of pages) {
    const res = await env.ASSETS.fetch(new URL(p, request.url));
    bytes += (await res.arrayBuffer()).byteLength;
  }
  const res = Response.json(
    { pages: pages.length, bytes, computedAt: new Date().toISOString() },
    { headers: { "cache-control": "public, max-age=60" } },
  );
  ctx.waitUntil(cache.put(key, res.clone()));
  return res;
}
