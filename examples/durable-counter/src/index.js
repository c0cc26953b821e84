// A counter per name, kept by a Durable Object. Requests for one name reach
// one object, one at a time: concurrent increments never lose an update.
// POST /counter/NAME/increment?by=N   add N (RPC to the object), returns the new value
// GET  /counter/NAME                  the value (through the object's fetch)
// POST /counter/NAME/reset?in=MS      reset the counter MS milliseconds from now (an alarm)
// GET  /counter/NAME/alarm            when the reset is due, and how many resets ran
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS resets (at INTEGER NOT NULL)");
  }

  async increment(by = 1) {
    if (!Number.isInteger(by)) throw new RangeError(`by must be an integer, got ${by}`);
    const value = ((await this.ctx.storage.get("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async resetIn(ms) {
    await this.ctx.storage.setAlarm(Date.now() + ms);
    return this.ctx.storage.getAlarm();
  }

  async alarmStatus() {
    const { n } = this.ctx.storage.sql.exec("SELECT count(*) AS n FROM resets").one();
    return { due: await this.ctx.storage.getAlarm(), resets: n };
  }

  // The alarm resets the counter and records when.
  async alarm() {
    await this.ctx.storage.put("value", 0);
    this.ctx.storage.sql.exec("INSERT INTO resets (at) VALUES (?)", Date.now());
  }

  async fetch(request) {
    const value = (await this.ctx.storage.get("value")) ?? 0;
    return Response.json({ name: this.ctx.id.name, value });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const m = url.pathname.match(/^\/counter\/([^/]+)(\/increment|\/reset|\/alarm)?$/);
    if (!m) return new Response("try POST /counter/NAME/increment\n", { status: 404 });
    const counter = env.COUNTER.getByName(decodeURIComponent(m[1]));
    switch (`${request.method} ${m[2] ?? ""}`) {
      case "GET ":
        return counter.fetch(request);
      case "POST /increment":
        try {
          return Response.json({ value: await counter.increment(Number(url.searchParams.get("by") ?? 1)) });
        } catch (e) {
          return Response.json({ error: `${e.name}: ${e.message}` }, { status: 400 });
        }
      case "POST /reset":
        return Response.json({ due: await counter.resetIn(Number(url.searchParams.get("in") ?? 1000)) });
      case "GET /alarm":
        return Response.json(await counter.alarmStatus());
    }
    return new Response("method not allowed\n", { status: 405 });
  },
};
