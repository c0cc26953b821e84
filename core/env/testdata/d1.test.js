// D1 binding: Cloudflare's D1 Workers Binding API over a local database.
// env.DB and env.DB2 are empty in-memory databases.

const d1Error = async (p, message) => {
  const e = await assertRejects(p, Error);
  assertEquals(e.message, message);
  assert(e.cause instanceof Error, "cause is an Error");
  return e;
};

test("a D1 binding is a D1Database", () => {
  assertEquals(Object.prototype.toString.call(env.DB), "[object D1Database]");
  for (const m of ["prepare", "batch", "exec", "withSession", "dump"]) assertEquals(typeof env.DB[m], "function", m);
  const stmt = env.DB.prepare("SELECT 1");
  assertEquals(Object.prototype.toString.call(stmt), "[object D1PreparedStatement]");
  for (const m of ["bind", "first", "all", "run", "raw"]) assertEquals(typeof stmt[m], "function", m);
  assertEquals(stmt.statement, "SELECT 1");
  assertEquals(stmt.params, []);
});

test("exec creates a schema, one query per line", async () => {
  const res = await env.DB.exec(`
    CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL UNIQUE, body TEXT, stars REAL, data BLOB, created_at DATETIME DEFAULT CURRENT_TIMESTAMP)
    -- comments and empty lines are not queries

    CREATE INDEX notes_stars ON notes (stars)
  `);
  assertEquals(res.count, 2);
  assertEquals(typeof res.duration, "number");
  assertEquals(Object.keys(res), ["count", "duration"]);
});

test("run inserts and reports meta", async () => {
  const res = await env.DB.prepare("INSERT INTO notes (title, body, stars) VALUES (?, ?, ?)").bind("first", "hello", 4.5).run();
  assertEquals(Object.keys(res), ["success", "meta", "results"]);
  assertEquals(res.success, true);
  assertEquals(res.results, []);
  const m = res.meta;
  assertEquals(m.changes, 1);
  assertEquals(m.last_row_id, 1);
  assertEquals(m.changed_db, true);
  assertEquals(m.rows_written, 1);
  assert(m.size_after > 0, "size_after");
  for (const k of ["duration", "rows_read", "size_after"]) assertEquals(typeof m[k], "number", k);
  assertEquals(typeof m.served_by, "string");
  assertEquals(m.timings.sql_duration_ms, m.duration);
});

test("all returns rows as objects, with D1's types", async () => {
  await env.DB.prepare("INSERT INTO notes (title, body, stars, data) VALUES (?1, ?2, ?3, ?4)")
    .bind("second", null, 3, new Uint8Array([0, 1, 255])).run();
  const { results, success, meta } = await env.DB.prepare("SELECT id, title, body, stars, data, typeof(stars) AS t FROM notes ORDER BY id").all();
  assertEquals(success, true);
  assertEquals(results, [
    { id: 1, title: "first", body: "hello", stars: 4.5, data: null, t: "real" },
    { id: 2, title: "second", body: null, stars: 3, data: [0, 1, 255], t: "real" },
  ]);
  assert(Array.isArray(results[1].data), "BLOBs are arrays of byte values");
  assertEquals(meta.changes, 0);
  assertEquals(meta.changed_db, false);
  assert(meta.rows_read >= 2, "rows_read");
  // DATETIME columns are text, as SQLite stores them.
  const { created_at } = await env.DB.prepare("SELECT created_at FROM notes WHERE id = 1").first();
  assert(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(created_at), created_at);
});

test("run on a SELECT returns its rows too", async () => {
  const res = await env.DB.prepare("SELECT title FROM notes WHERE id = ?").bind(1).run();
  assertEquals(res.results, [{ title: "first" }]);
});

test("first: the first row, one column of it, or null", async () => {
  const stmt = env.DB.prepare("SELECT id, title FROM notes ORDER BY id");
  assertEquals(await stmt.first(), { id: 1, title: "first" });
  assertEquals(await stmt.first("title"), "first");
  assertEquals(await env.DB.prepare("SELECT body FROM notes WHERE id = 2").first("body"), null);
  assertEquals(await env.DB.prepare("SELECT * FROM notes WHERE id = 99").first(), null);
  assertEquals(await env.DB.prepare("SELECT * FROM notes WHERE id = 99").first("nope"), null);
  const e = await d1Error(stmt.first("nope"), "D1_COLUMN_NOTFOUND: Column not found (nope)");
  assertEquals(e.cause.message, "Column not found");
});

test("raw returns arrays, with column names on request", async () => {
  const stmt = env.DB.prepare("SELECT id, title FROM notes ORDER BY id");
  assertEquals(await stmt.raw(), [[1, "first"], [2, "second"]]);
  assertEquals(await stmt.raw({ columnNames: true }), [["id", "title"], [1, "first"], [2, "second"]]);
  assertEquals(await env.DB.prepare("SELECT id FROM notes WHERE 0").raw({ columnNames: true }), [["id"]]);
  assertEquals(await env.DB.prepare("SELECT id FROM notes WHERE 0").raw(), []);
});

test("bind converts values as D1 does", async () => {
  const cases = [
    [1, 1, "integer"],
    [-2, -2, "integer"],
    [1.25, 1.25, "real"],
    ["text", "text", "text"],
    ["", "", "text"],
    [true, 1, "integer"],
    [false, 0, "integer"],
    [null, null, "null"],
    [NaN, null, "null"],
    [Infinity, null, "null"],
    [new Uint8Array([1, 2]).buffer, [1, 2], "blob"],
    [new Uint8Array([9, 8, 7]).subarray(1), [8, 7], "blob"],
    [new Int8Array([-1]), [255], "blob"],
    [new Uint16Array([258, 1]), [2, 1], "blob"],
    [[1, 2, 255], [1, 2, 255], "blob"],
    [[], [], "blob"],
  ];
  for (const [input, want, type] of cases) {
    const row = await env.DB.prepare("SELECT ? AS v, typeof(?1) AS t").bind(input).first();
    assertEquals(row, { v: want, t: type }, String(input));
  }
  assertEquals(env.DB.prepare("SELECT ?, ?").bind(1, "a").params, [1, "a"]);
  assertEquals(env.DB.prepare("SELECT ?").bind(new Uint8Array([5])).params, [[5]]);
});

test("bind rejects what D1 cannot store", () => {
  const stmt = env.DB.prepare("SELECT ?");
  const cases = [
    [undefined, "D1_TYPE_ERROR: Type 'undefined' not supported for value 'undefined'"],
    [{}, "D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'"],
    [[1, 256], "D1_TYPE_ERROR: Type 'object' not supported for value '1,256'"],
    [10n, "D1_TYPE_ERROR: Type 'bigint' not supported for value '10'"],
  ];
  for (const [v, msg] of cases) {
    const e = assertThrows(() => stmt.bind(v), Error);
    assertEquals(e.message, msg);
    assertEquals(e.cause.message, msg.slice("D1_TYPE_ERROR: ".length));
  }
});

test("bind returns a new statement each time", async () => {
  const stmt = env.DB.prepare("SELECT ? AS v");
  const a = stmt.bind(1), b = stmt.bind(2);
  assert(a !== stmt && a !== b, "new statements");
  assertEquals(await a.first("v"), 1);
  assertEquals(await b.first("v"), 2);
  await d1Error(stmt.first(), "D1_ERROR: Wrong number of parameter bindings for SQL query.");
});

test("integers beyond 2^53 come back as numbers", async () => {
  assertEquals(await env.DB.prepare("SELECT 9007199254740993 AS v").first("v"), 9007199254740992);
  assertEquals(await env.DB.prepare("SELECT ? AS v").bind(2 ** 60).first("v"), 2 ** 60);
});

test("SQL errors are D1_ERROR with SQLite's message and a cause", async () => {
  const e = await d1Error(env.DB.prepare("SELECT * FROM missing").all(), "D1_ERROR: no such table: missing: SQLITE_ERROR");
  assertEquals(e.cause.message, "no such table: missing: SQLITE_ERROR");
  await d1Error(env.DB.prepare("INSERT INTO notes (title) VALUES ('first')").run(), "D1_ERROR: UNIQUE constraint failed: notes.title: SQLITE_CONSTRAINT");
  await d1Error(env.DB.prepare("SELEC 1").run(), 'D1_ERROR: near "SELEC": syntax error: SQLITE_ERROR');
  await d1Error(env.DB.prepare("BEGIN TRANSACTION").run(), "D1_ERROR: To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.");
  await d1Error(env.DB.prepare("").all(), "D1_ERROR: No SQL statements detected.");
});

test("batch runs statements in order and returns each result", async () => {
  const insert = env.DB.prepare("INSERT INTO notes (title) VALUES (?)");
  const res = await env.DB.batch([insert.bind("b1"), insert.bind("b2"), env.DB.prepare("SELECT count(*) AS n FROM notes")]);
  assertEquals(res.length, 3);
  assertEquals(res.map((r) => r.success), [true, true, true]);
  assertEquals(res[1].meta.last_row_id, res[0].meta.last_row_id + 1);
  assertEquals(res[2].results, [{ n: 4 }]);
});

test("batch is atomic: a failing statement rolls all back", async () => {
  const before = await env.DB.prepare("SELECT count(*) AS n FROM notes").first("n");
  const insert = env.DB.prepare("INSERT INTO notes (title) VALUES (?)");
  await d1Error(env.DB.batch([insert.bind("b3"), insert.bind("b4"), insert.bind("first")]), "D1_ERROR: UNIQUE constraint failed: notes.title: SQLITE_CONSTRAINT");
  assertEquals(await env.DB.prepare("SELECT count(*) AS n FROM notes").first("n"), before);
  await d1Error(env.DB.batch([]), "D1_ERROR: No SQL statements detected.");
  await assertRejects(env.DB.batch("SELECT 1"), TypeError);
  await assertRejects(env.DB.batch([{ statement: "SELECT 1" }]), TypeError);
});

test("exec errors name the line", async () => {
  const e = await d1Error(env.DB.exec("SELECT 1\nSELECT * FROM nope"), "D1_EXEC_ERROR: Error in line 2: SELECT * FROM nope: no such table: nope: SQLITE_ERROR");
  assertEquals(e.cause.message, "Error in line 2: SELECT * FROM nope: no such table: nope: SQLITE_ERROR");
});

test("databases are separate", async () => {
  await env.DB2.exec("CREATE TABLE other (x)");
  await d1Error(env.DB2.prepare("SELECT * FROM notes").all(), "D1_ERROR: no such table: notes: SQLITE_ERROR");
  await d1Error(env.DB.prepare("SELECT * FROM other").all(), "D1_ERROR: no such table: other: SQLITE_ERROR");
});

test("withSession: prepare and batch, with a bookmark after a query", async () => {
  const s = env.DB.withSession();
  assertEquals(Object.prototype.toString.call(s), "[object D1DatabaseSession]");
  assertEquals(s.getBookmark(), null);
  assertEquals(await s.prepare("SELECT title FROM notes WHERE id = 1").first("title"), "first");
  const b1 = s.getBookmark();
  assertEquals(typeof b1, "string");
  await s.batch([s.prepare("SELECT 1")]);
  assert(s.getBookmark() > b1, "the bookmark moves on");
  assertEquals(env.DB.withSession("first-primary").getBookmark(), null);
  assertEquals(env.DB.withSession("00000001-0000-0000-0000-000000000000").getBookmark(), "00000001-0000-0000-0000-000000000000");
});

test("dump returns the database file", async () => {
  const ab = await env.DB.dump();
  assert(ab instanceof ArrayBuffer, "an ArrayBuffer");
  assertEquals(new TextDecoder().decode(new Uint8Array(ab, 0, 15)), "SQLite format 3");
});

test("methods need their object", () => {
  assertThrows(() => env.DB.prepare.call({}, "SELECT 1"), TypeError);
  assertThrows(() => env.DB.prepare("SELECT 1").bind.call({}), TypeError);
});
