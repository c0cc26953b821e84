export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/throw") throw new Error("handler exploded");
    if (url.pathname === "/binary") return new Response(new Uint8Array([0, 255, 1, 254]));
    if (url.pathname === "/stream-order") {
      ctx.waitUntil(new Promise((r) => setTimeout(r, 20)));
      return new Response("ok");
    }
    return Response.json({
      method: request.method,
      url: request.url,
      host: request.headers.get("host"),
      ip: request.headers.get("cf-connecting-ip"),
      body: request.method === "POST" ? await request.text() : null,
      protocol: request.cf && request.cf.httpProtocol,
    });
  },
  async scheduled(controller) {
    console.log("fired", controller.cron, new Date(controller.scheduledTime).toISOString());
  },
};
