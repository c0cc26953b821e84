// Minimal Node.js host for a Worker module, for benchmarks: node adapter.mjs
// MODULE PORT. Node 20 has global Request/Response/Headers; this calls the
// module's fetch(request, env, ctx) and writes the Response out.
import http from "node:http";
import { pathToFileURL } from "node:url";

const [modulePath, port] = process.argv.slice(2);
const mod = (await import(pathToFileURL(modulePath).href)).default;
const env = {};
const ctx = { waitUntil() {}, passThroughOnException() {} };

http.createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    const response = await mod.fetch(request, env, ctx);
    res.statusCode = response.status;
    for (const [k, v] of response.headers) res.setHeader(k, v);
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e && e.stack || e));
  }
}).listen(Number(port), "127.0.0.1");
