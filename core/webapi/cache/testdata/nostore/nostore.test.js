test("without a store, put resolves and match finds nothing", async () => {
  const res = new Response("x", { headers: { "cache-control": "max-age=60" } });
  assertEquals(await caches.default.put("https://example.com/", res), undefined);
  assertEquals(res.bodyUsed, true);
  assertEquals(await caches.default.match("https://example.com/"), undefined);
  assertEquals(await caches.default.delete("https://example.com/"), false);
});
