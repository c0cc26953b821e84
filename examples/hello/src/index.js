// The smallest useful Worker: a greeting, request details as JSON, and a cron
// handler. Run it with `ferry dev examples/hello` and open http://127.0.0.1:8787/.
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/json") {
      return Response.json({
        method: request.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        userAgent: request.headers.get("user-agent"),
      });
    }
    return new Response(env.GREETING + "\n", {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },

  async scheduled(controller, env, ctx) {
    console.log(`cron ${controller.cron} fired at ${new Date(controller.scheduledTime).toISOString()}`);
  },
};
