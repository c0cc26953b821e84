// env.ASSETS: the static-assets binding over testdata/assets/site
// (404-page not_found_handling, auto-trailing-slash html_handling).

test("env.ASSETS is a Fetcher", () => {
  assertEquals(Object.prototype.toString.call(env.ASSETS), "[object Fetcher]");
  assertEquals(typeof env.ASSETS.fetch, "function");
});

test("fetch serves an asset from a URL string or a Request", async () => {
  const res = await env.ASSETS.fetch("http://example.com/about");
  assert(res instanceof Response, "a Response");
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  assert(/^"[0-9a-f]{32}"$/.test(res.headers.get("etag")), res.headers.get("etag"));
  assertEquals(await res.text(), "<h1>about</h1>");
  const viaRequest = await env.ASSETS.fetch(new Request("http://example.com/", { headers: { "x-a": "1" } }));
  assertEquals(await viaRequest.text(), "<h1>home</h1>");
  const viaURL = await env.ASSETS.fetch(new URL("http://example.com/blog/post"));
  assertEquals(await viaURL.text(), "post");
});

test("fetch applies html_handling redirects and not_found_handling", async () => {
  const red = await env.ASSETS.fetch("http://example.com/about.html?x=1");
  assertEquals(red.status, 307);
  assertEquals(red.headers.get("location"), "/about?x=1");
  const missing = await env.ASSETS.fetch("http://example.com/blog/missing");
  assertEquals(missing.status, 404);
  assertEquals(await missing.text(), "not here");
});

test("conditional requests, HEAD and other methods", async () => {
  const first = await env.ASSETS.fetch("http://example.com/about");
  const etag = first.headers.get("etag");
  const again = await env.ASSETS.fetch("http://example.com/about", { headers: { "if-none-match": etag } });
  assertEquals(again.status, 304);
  assertEquals(again.body, null);
  const head = await env.ASSETS.fetch("http://example.com/about", { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(await head.text(), "");
  const post = await env.ASSETS.fetch("http://example.com/about", { method: "POST", body: "x" });
  assertEquals(post.status, 405);
});

test("the response body streams and its headers are immutable", async () => {
  const res = await env.ASSETS.fetch("http://example.com/");
  assertThrows(() => res.headers.set("x", "y"), TypeError);
  const copy = new Response(res.body, res);
  copy.headers.set("x-extra", "1");
  assertEquals(await copy.text(), "<h1>home</h1>");
});

test("a relative URL is a TypeError", async () => {
  await assertRejects(env.ASSETS.fetch("/about"), TypeError);
});
