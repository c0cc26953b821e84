import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";

function assert(cond, msg) { if (!cond) throw new Error("assertion failed: " + msg); }
function eq(a, b, msg) { if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`); }

export class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.constructed = (this.constructed ?? 0) + 1;
    ctx.blockConcurrencyWhile(async () => {
      this.loaded = (await ctx.storage.get("n")) ?? 0;
    });
  }
  async increment(by = 1) {
    const n = (await this.ctx.storage.get("n")) ?? 0;
    await this.ctx.storage.put("n", n + by);
    return n + by;
  }
  // Read-modify-write with an await between that is not storage: not atomic
  // on Cloudflare either, unless blockConcurrencyWhile holds the gate.
  async incrementBlocked() {
    return this.ctx.blockConcurrencyWhile(async () => {
      const n = (await this.ctx.storage.get("n")) ?? 0;
      await new Promise((r) => setTimeout(r, 1));
      await this.ctx.storage.put("n", n + 1);
      return n + 1;
    });
  }
  loadedValue() { return this.loaded; }
  whoami() { return { id: this.ctx.id.toString(), name: this.ctx.id.name, equalsSelf: this.ctx.id.equals(this.ctx.id) }; }
  echo(v) { return v; }
  boom() { const e = new RangeError("too far"); throw e; }
  async asyncBoom() { throw new TypeError("bad type"); }
  unclonable() { return () => 1; }
  async fetch(request) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.text() : "";
    return new Response(`${request.method} ${url.pathname} ${body} ${this.ctx.id.name ?? ""}`, { headers: { "x-object": "yes" } });
  }
  async storageSuite() {
    const s = this.ctx.storage;
    await s.deleteAll();
    eq(await s.get("missing"), undefined, "missing key");
    await s.put("a", { deep: [1, 2, new Map([["k", 1n]])] });
    const v = await s.get("a");
    assert(v.deep[2] instanceof Map && v.deep[2].get("k") === 1n, "structured clone of values");
    await s.put({ b: 2, c: new Date(5), d: "dee" });
    const m = await s.get(["a", "b", "nope", "c"]);
    assert(m instanceof Map && m.size === 3 && m.get("b") === 2 && m.get("c").getTime() === 5, "get many");
    eq([...(await s.list()).keys()], ["a", "b", "c", "d"], "list");
    eq([...(await s.list({ start: "b", end: "d" })).keys()], ["b", "c"], "list start/end");
    eq([...(await s.list({ startAfter: "b" })).keys()], ["c", "d"], "list startAfter");
    eq([...(await s.list({ prefix: "c" })).keys()], ["c"], "list prefix");
    eq([...(await s.list({ reverse: true, limit: 2 })).keys()], ["d", "c"], "list reverse limit");
    eq(await s.delete("b"), true, "delete one");
    eq(await s.delete("b"), false, "delete missing");
    eq(await s.delete(["a", "c", "zz"]), 2, "delete many");
    let err;
    try { await s.put("x".repeat(2049), 1); } catch (e) { err = e; }
    assert(err instanceof RangeError && err.message === "Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.", "key limit: " + err);
    err = undefined;
    try { await s.put("big", "x".repeat(131072)); } catch (e) { err = e; }
    assert(err instanceof RangeError && /^Values cannot be larger than 131072 bytes\. A value of size \d+ was provided\.$/.test(err.message), "value limit: " + err);
    err = undefined;
    try { await s.get(Array.from({ length: 129 }, (_, i) => "k" + i)); } catch (e) { err = e; }
    assert(err instanceof RangeError && err.message === "Maximum number of keys per call is 128. You provided 129.", "keys per call: " + err);
    err = undefined;
    try { await s.put("f", () => 1); } catch (e) { err = e; }
    assert(err && err.name === "DataCloneError", "functions are not storable: " + err);

    // transaction: rollback on throw, explicit rollback, commit.
    await s.put("t", 1);
    try {
      await s.transaction(async (txn) => { await txn.put("t", 2); eq(await txn.get("t"), 2, "txn sees its write"); throw new Error("abort"); });
    } catch (e) { eq(e.message, "abort", "txn error passes through"); }
    eq(await s.get("t"), 1, "rolled back on throw");
    await s.transaction(async (txn) => { await txn.put("t", 3); txn.rollback(); });
    eq(await s.get("t"), 1, "explicit rollback");
    eq(await s.transaction(async (txn) => { await txn.put("t", 4); return "r"; }), "r", "txn result");
    eq(await s.get("t"), 4, "committed");
    try { s.transactionSync(() => { s.sql.exec("CREATE TABLE tx (x)"); throw new Error("no"); }); } catch {}
    let noTable = false;
    try { s.sql.exec("SELECT * FROM tx"); } catch (e) { noTable = /no such table: tx/.test(e.message); }
    assert(noTable, "transactionSync rolled back the table");
    eq(s.transactionSync(() => { s.sql.exec("CREATE TABLE tx (x)"); return 7; }), 7, "transactionSync result");

    // SQL
    const sql = s.sql;
    sql.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, score REAL, data BLOB)");
    const ins = sql.exec("INSERT INTO notes (body, score, data) VALUES (?, ?, ?), (?, ?, ?)", "one", 1.5, new Uint8Array([1, 2]), "two", 2, null);
    eq(ins.rowsWritten, 2, "rowsWritten");
    const cur = sql.exec("SELECT id, body, score FROM notes ORDER BY id");
    eq(cur.columnNames, ["id", "body", "score"], "columnNames");
    eq(cur.toArray(), [{ id: 1, body: "one", score: 1.5 }, { id: 2, body: "two", score: 2 }], "toArray");
    assert(cur.rowsRead >= 2, "rowsRead");
    eq(sql.exec("SELECT body FROM notes WHERE id = ?", 2).one(), { body: "two" }, "one");
    eq([...sql.exec("SELECT id, body FROM notes ORDER BY id").raw()], [[1, "one"], [2, "two"]], "raw");
    const rows = [];
    for (const r of sql.exec("SELECT id FROM notes ORDER BY id DESC")) rows.push(r.id);
    eq(rows, [2, 1], "iterate");
    const blob = sql.exec("SELECT data FROM notes WHERE id = 1").one().data;
    assert(blob instanceof ArrayBuffer && new Uint8Array(blob)[1] === 2, "BLOBs come back as ArrayBuffers");
    err = undefined;
    try { sql.exec("SELECT body FROM notes").one(); } catch (e) { err = e; }
    eq(err && err.message, "Expected exactly one result from SQL query, but got multiple results.", "one() with many");
    err = undefined;
    try { sql.exec("SELECT * FROM nope"); } catch (e) { err = e; }
    eq(err && err.message, "no such table: nope: SQLITE_ERROR", "SQL error");
    assert(sql.databaseSize > 0, "databaseSize");
    // deleteAll drops tables too.
    await s.deleteAll();
    err = undefined;
    try { sql.exec("SELECT * FROM notes"); } catch (e) { err = e; }
    assert(err, "deleteAll drops tables");
    return "ok";
  }
  async setAlarmIn(ms) {
    await this.ctx.storage.setAlarm(Date.now() + ms);
    return await this.ctx.storage.getAlarm();
  }
  async alarmState() {
    return { fired: (await this.ctx.storage.get("alarms")) ?? [], alarm: await this.ctx.storage.getAlarm() };
  }
  async failAlarms(n) { await this.ctx.storage.put("fail", n); }
  async alarm(info) {
    const fired = (await this.ctx.storage.get("alarms")) ?? [];
    fired.push(info);
    await this.ctx.storage.put("alarms", fired);
    const fail = (await this.ctx.storage.get("fail")) ?? 0;
    if (fail > 0) {
      await this.ctx.storage.put("fail", fail - 1);
      throw new Error("alarm failed on purpose");
    }
  }
}

export class NoAlarm extends DurableObject {
  async tryAlarm() {
    try { await this.ctx.storage.setAlarm(Date.now() + 1000); return "set"; } catch (e) { return e.message; }
  }
}

export class Adder extends WorkerEntrypoint {
  add(a, b) { return a + b; }
  async fetch(request) { return new Response("adder " + new URL(request.url).pathname); }
  envName() { return this.env.NAME; }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.COUNTER.getByName(url.searchParams.get("name") ?? "a");
    switch (url.pathname) {
      case "/inc":
        return Response.json(await stub.increment(Number(url.searchParams.get("by") ?? 1)));
      case "/incBlocked":
        return Response.json(await stub.incrementBlocked());
      case "/loaded":
        return Response.json(await stub.loadedValue());
      case "/storage":
        return new Response(await env.COUNTER.get(env.COUNTER.newUniqueId()).storageSuite());
      case "/alarm":
        return Response.json(await stub.setAlarmIn(Number(url.searchParams.get("ms"))));
      case "/alarmState":
        return Response.json(await stub.alarmState());
      case "/failAlarms":
        await stub.failAlarms(Number(url.searchParams.get("n")));
        return new Response("ok");
      case "/noalarm":
        return new Response(await env.NOALARM.getByName("x").tryAlarm());
      case "/fetch": {
        const res = await stub.fetch("http://do/path?q=1", { method: "POST", body: "hi" });
        return new Response(`${res.status} ${res.headers.get("x-object")} ${await res.text()}`);
      }
      case "/ids": {
        const ns = env.COUNTER;
        const a = ns.idFromName("alice"), a2 = ns.idFromName("alice"), b = ns.idFromName("bob");
        const u = ns.newUniqueId();
        const out = {
          hex: /^[0-9a-f]{64}$/.test(a.toString()), same: a.equals(a2) && a.toString() === a2.toString(), differ: !a.equals(b),
          name: a.name, uniqueName: u.name, roundTrip: ns.idFromString(u.toString()).equals(u),
        };
        try { ns.idFromString("xyz"); } catch (e) { out.badString = `${e.name}: ${e.message}`; }
        try { env.NOALARM.idFromString(a.toString()); } catch (e) { out.otherClass = e.name; }
        out.who = await ns.get(a).whoami();
        out.stubName = ns.get(a).name;
        out.thenable = typeof ns.get(a).then;
        return Response.json(out);
      }
      case "/rpc": {
        const out = {};
        out.echo = await stub.echo({ m: new Map([[1, 2]]), d: new Date(3) }).then((v) => v.m.get(1) === 2 && v.d.getTime() === 3);
        try { await stub.boom(); } catch (e) { out.boom = `${e.name}: ${e.message} ${e instanceof RangeError}`; }
        try { await stub.asyncBoom(); } catch (e) { out.asyncBoom = `${e.name}: ${e.message}`; }
        try { await stub.nope(); } catch (e) { out.nope = `${e.name}: ${e.message}`; }
        try { await stub.unclonable(); } catch (e) { out.unclonable = e.name; }
        try { await stub.echo(() => 1); } catch (e) { out.badArg = e.name; }
        return Response.json(out);
      }
      case "/svc": {
        const out = { add: await env.ADDER.add(2, 3), env: await env.ADDER.envName() };
        out.fetch = await (await env.ADDER.fetch("http://svc/hello")).text();
        return Response.json(out);
      }
    }
    return new Response("not found", { status: 404 });
  },
};
