// A queue producer and consumer with retries and a dead-letter queue.
//
//   POST /enqueue    a job {"id": "...", ...} or an array of jobs; sends them
//                    to the "jobs" queue (one send, or one sendBatch)
//   GET  /processed  {id: {attempts, batch}} for every job done
//   GET  /dead       ids that ended in the dead-letter queue
//   GET  /started    ids whose processing has begun (a crash test waits on it)
//
// A job may say how to misbehave:
//   "failTimes": n    retry it (msg.retry()) on its first n deliveries
//   "poison": true    always retry it: after max_retries it is dead-lettered
//   "slowMs": n       on its first delivery, work for n ms before finishing
//   "delaySeconds": n send it with that delay
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/enqueue") {
      const jobs = await request.json();
      if (Array.isArray(jobs)) {
        await env.JOBS.sendBatch(jobs.map((job) => ({ body: job, delaySeconds: job.delaySeconds })));
      } else {
        await env.JOBS.send(jobs, { delaySeconds: jobs.delaySeconds });
      }
      return Response.json({ queued: Array.isArray(jobs) ? jobs.length : 1 }, { status: 202 });
    }
    if (url.pathname === "/processed") return Response.json(await collect(env.RESULTS, "done:"));
    if (url.pathname === "/dead") return Response.json(Object.keys(await collect(env.RESULTS, "dead:")));
    if (url.pathname === "/started") return Response.json(Object.keys(await collect(env.RESULTS, "started:")));
    return new Response("POST /enqueue, GET /processed, GET /dead\n", { status: 404 });
  },

  async queue(batch, env) {
    if (batch.queue === "jobs-dlq") {
      for (const msg of batch.messages) {
        console.warn(`job ${msg.body.id} gave up after its retries`);
        await env.RESULTS.put("dead:" + msg.body.id, JSON.stringify(msg.body));
      }
      return; // returning normally acks the whole batch
    }
    for (const msg of batch.messages) {
      const job = msg.body;
      if (job.poison || msg.attempts <= (job.failTimes ?? 0)) {
        console.log(`job ${job.id} failed on attempt ${msg.attempts}; retrying`);
        msg.retry();
        continue;
      }
      await env.RESULTS.put("started:" + job.id, String(msg.attempts));
      if (job.slowMs && msg.attempts === 1) await new Promise((r) => setTimeout(r, job.slowMs));
      await env.RESULTS.put("done:" + job.id, JSON.stringify({ attempts: msg.attempts, batch: batch.messages.length }));
      msg.ack();
    }
  },
};

async function collect(ns, prefix) {
  const out = {};
  let cursor;
  do {
    const page = await ns.list({ prefix, cursor });
    for (const { name } of page.keys) out[name.slice(prefix.length)] = await ns.get(name, "json");
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}
