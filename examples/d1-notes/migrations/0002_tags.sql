-- Tags on notes. Deleting a note deletes its tags: D1 enforces foreign keys.
CREATE TABLE tags (
  note_id INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
  tag     TEXT NOT NULL CHECK (length(tag) BETWEEN 1 AND 20),
  PRIMARY KEY (note_id, tag)
);
CREATE INDEX tags_by_tag ON tags (tag);
