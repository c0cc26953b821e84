// The Worker examples/terraform deploys: a visit counter (KV) that keeps a
// log of visits in R2 through a queue, and a cron that writes a summary.
//
//   GET /any/path   counts a visit, queues a log line, says how many visits
//   GET /__summary  the summary the cron last wrote
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/__summary") {
      const obj = await env.FILES.get("summary.json");
      return new Response(obj ? obj.body : "no summary yet\n", { headers: { "content-type": "application/json" } });
    }
    const key = "visits:" + url.pathname;
    const count = (parseInt((await env.COUNTS.get(key)) ?? "0", 10) || 0) + 1;
    await env.COUNTS.put(key, String(count));
    await env.JOBS.send({ path: url.pathname, at: new Date().toISOString() });
    return new Response(`${url.pathname} has been visited ${count} time${count === 1 ? "" : "s"}\n`);
  },

  async queue(batch, env) {
    for (const msg of batch.messages) {
      await env.FILES.put(`log/${msg.id}.json`, JSON.stringify(msg.body));
      msg.ack();
    }
  },

  async scheduled(event, env) {
    const { keys } = await env.COUNTS.list({ prefix: "visits:" });
    const summary = { cron: event.cron, at: new Date(event.scheduledTime).toISOString(), paths: keys.length };
    await env.FILES.put("summary.json", JSON.stringify(summary));
  },
};
