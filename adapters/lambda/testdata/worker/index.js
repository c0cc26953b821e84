// A Worker for the Lambda adapter's tests: it echoes requests, answers with
// cookies, binary and oversized bodies, fails on demand, and records what its
// scheduled, queue and waitUntil work saw, readable at GET /state.
const state = { waited: 0, scheduled: [], queue: [] };

function toBase64(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/state":
        return Response.json(state);
      case "/binary": {
        const bytes = new Uint8Array(256);
        for (let i = 0; i < 256; i++) bytes[i] = i;
        return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
      }
      case "/latin1":
        // Declared text, but not UTF-8: must travel as base64.
        return new Response(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), { headers: { "content-type": "text/plain" } });
      case "/large":
        return new Response("x".repeat(Number(url.searchParams.get("n"))), { headers: { "content-type": "text/plain" } });
      case "/throw":
        throw new Error("boom");
      case "/spin":
        for (;;) {}
      case "/slow":
        await new Promise((r) => setTimeout(r, 5000));
        return new Response("late");
      case "/wait":
        ctx.waitUntil(new Promise((r) => setTimeout(r, 150)).then(() => { state.waited++; }));
        return new Response("responded", { headers: { "content-type": "text/plain" } });
    }
    const body = new Uint8Array(await request.arrayBuffer());
    const headers = {};
    for (const [k, v] of request.headers) headers[k] = v;
    const res = Response.json({
      method: request.method,
      url: request.url,
      headers,
      body: toBase64(body),
      bodyLength: body.length,
      cf: request.cf ?? null,
      env: { GREETING: env.GREETING ?? null },
    });
    res.headers.append("set-cookie", "a=1; Path=/; HttpOnly");
    res.headers.append("set-cookie", "b=2; Path=/; Secure");
    res.headers.append("x-multi", "one");
    res.headers.append("x-multi", "two");
    return res;
  },

  async scheduled(controller, env, ctx) {
    if (controller.cron === "0 0 * * *") throw new Error("nightly failed");
    state.scheduled.push({ cron: controller.cron, scheduledTime: controller.scheduledTime });
  },

  async queue(batch, env, ctx) {
    for (const msg of batch.messages) {
      const body = msg.body;
      state.queue.push({
        queue: batch.queue,
        id: msg.id,
        attempts: msg.attempts,
        timestamp: msg.timestamp.getTime(),
        body: body instanceof ArrayBuffer ? { bytes: toBase64(new Uint8Array(body)) } : body,
      });
      if (body && body.action === "retry") msg.retry(body.delay ? { delaySeconds: body.delay } : undefined);
      else if (body && body.action === "ack") msg.ack();
      else if (body && body.action === "throw") throw new Error("queue handler failed");
    }
  },
};
