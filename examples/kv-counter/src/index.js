// Counts visits per path in Workers KV.
//
//   GET /any/path   counts a visit and says how many there were
//   GET /__stats    every path with its count, from one list() call
//   DELETE /path    forgets a path
//
// The count is the value; metadata carries it too, with the first and last
// visit, so /__stats needs no get per key (list returns metadata).
const PREFIX = "visits:";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/__stats") return stats(env.COUNTS);

    const key = PREFIX + url.pathname;
    if (request.method === "DELETE") {
      await env.COUNTS.delete(key);
      return new Response(`forgot ${url.pathname}\n`);
    }

    const { value, metadata } = await env.COUNTS.getWithMetadata(key);
    const count = (parseInt(value ?? "0", 10) || 0) + 1;
    const now = new Date().toISOString();
    await env.COUNTS.put(key, String(count), {
      metadata: { count, first: metadata?.first ?? now, last: now },
    });
    return new Response(`${url.pathname} has been visited ${count} time${count === 1 ? "" : "s"}\n`);
  },
};

async function stats(ns) {
  const paths = [];
  let cursor;
  do {
    const page = await ns.list({ prefix: PREFIX, cursor });
    for (const { name, metadata } of page.keys) {
      paths.push({ path: name.slice(PREFIX.length), visits: metadata?.count ?? null, first: metadata?.first ?? null });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return Response.json(paths);
}
