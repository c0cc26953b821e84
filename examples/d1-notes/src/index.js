// A notes API on D1.
//
//   GET    /notes            every note, newest first (?tag=work: only those tagged)
//   GET    /notes/:id        one note
//   POST   /notes            {title, body?, tags?: [...]} creates a note
//   DELETE /notes/:id        deletes a note (and its tags)
//
// The schema is in migrations/: apply it with `ferry d1 migrations apply DB`.
// A note and its tags are written in one db.batch(), which D1 runs as one
// transaction: a bad tag leaves no half-written note behind.

const NOTE_COLUMNS = `
  n.id, n.title, n.body, n.created_at,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM tags WHERE note_id = n.id ORDER BY tag)) AS tags`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const match = url.pathname.match(/^\/notes(?:\/(\d+))?\/?$/);
    if (!match) return json({ error: "not found" }, 404);
    const id = match[1] === undefined ? null : Number(match[1]);
    try {
      if (id === null && request.method === "GET") return await list(env.DB, url.searchParams.get("tag"));
      if (id === null && request.method === "POST") return await create(env.DB, request);
      if (id !== null && request.method === "GET") return await show(env.DB, id);
      if (id !== null && request.method === "DELETE") return await remove(env.DB, id);
      return json({ error: "method not allowed" }, 405);
    } catch (e) {
      // Constraint failures are the client's fault; anything else is ours.
      if (String(e.message).includes("constraint failed")) return json({ error: e.message }, 400);
      throw e;
    }
  },
};

async function list(db, tag) {
  const stmt = tag
    ? db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes n JOIN tags t ON t.note_id = n.id WHERE t.tag = ? ORDER BY n.id DESC`).bind(tag)
    : db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes n ORDER BY n.id DESC`);
  const { results } = await stmt.all();
  return json(results.map(decode));
}

async function show(db, id) {
  const note = await db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes n WHERE n.id = ?`).bind(id).first();
  return note ? json(decode(note)) : json({ error: `no note ${id}` }, 404);
}

async function create(db, request) {
  let input;
  try {
    input = await request.json();
  } catch {
    return json({ error: "the body must be JSON" }, 400);
  }
  const { title, body = "", tags = [] } = input ?? {};
  if (typeof title !== "string" || title.trim() === "") return json({ error: "title is required" }, 400);
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) return json({ error: "tags must be strings" }, 400);

  // One transaction: the note, then its tags (the note's id is the newest).
  const tag = db.prepare("INSERT INTO tags (note_id, tag) VALUES ((SELECT max(id) FROM notes), ?)");
  const [inserted] = await db.batch([
    db.prepare("INSERT INTO notes (title, body) VALUES (?, ?) RETURNING id").bind(title.trim(), String(body)),
    ...[...new Set(tags)].map((t) => tag.bind(t)),
  ]);
  const { id } = inserted.results[0];
  const note = await db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes n WHERE n.id = ?`).bind(id).first();
  return json(decode(note), 201, { location: `/notes/${id}` });
}

async function remove(db, id) {
  const { meta } = await db.prepare("DELETE FROM notes WHERE id = ?").bind(id).run();
  return meta.changes ? new Response(null, { status: 204 }) : json({ error: `no note ${id}` }, 404);
}

// tags come out of SQLite as a JSON array in a string.
function decode(row) {
  return { ...row, tags: JSON.parse(row.tags) };
}

function json(value, status = 200, headers = {}) {
  return Response.json(value, { status, headers });
}
