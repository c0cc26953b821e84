// Worker used by core tests: each path exercises one behaviour.
let counter = 0;
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/":
        return new Response("hello " + env.NAME);
      case "/throw":
        throw new Error("boom from handler");
      case "/reject":
        return Promise.reject(new TypeError("rejected"));
      case "/spin": {
        await request.json();
        for (;;) {} // CPU-bound until the limit stops it (a wall-time spin may use little CPU on a busy machine)
      }
      case "/loop":
        for (;;) {}
      case "/slow": {
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") || 50)));
        return new Response("slow done");
      }
      case "/wait-until": {
        ctx.waitUntil(new Promise((r) => setTimeout(() => { counter++; console.log("waitUntil done", counter); r(); }, 30)));
        return new Response("responded");
      }
      case "/counter":
        return new Response(String(counter));
      case "/echo": {
        const body = await request.text();
        return new Response(body, { status: 201, headers: { "x-method": request.method, "x-len": String(body.length) } });
      }
      case "/json":
        return Response.json({ got: await request.json(), vars: env.OBJ });
      case "/not-a-response":
        return "just a string";
      case "/cookies": {
        const h = new Headers();
        h.append("set-cookie", "a=1");
        h.append("set-cookie", "b=2");
        return new Response(null, { status: 204, headers: h });
      }
      case "/console":
        console.log("log line", { a: 1 }, [1, 2]);
        console.error("error line");
        return new Response("ok");
      default:
        return new Response("not found", { status: 404 });
    }
  },
  async scheduled(controller, env, ctx) {
    console.log("scheduled", controller.cron, controller.scheduledTime);
    if (controller.cron === "fail") throw new Error("scheduled failed");
  },
  async queue(batch, env, ctx) {
    for (const m of batch.messages) {
      if (m.body.action === "ack") m.ack();
      if (m.body.action === "retry") m.retry({ delaySeconds: 30 });
      if (m.body.action === "throw") throw new Error("queue handler threw");
    }
    if (batch.messages.some((m) => m.body.action === "retryAll")) batch.retryAll();
  },
};
