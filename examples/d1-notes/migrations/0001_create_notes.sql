-- Notes: a title, a body, and when they were written (SQLite's
-- CURRENT_TIMESTAMP: UTC, "YYYY-MM-DD HH:MM:SS").
CREATE TABLE notes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  title      TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  body       TEXT NOT NULL DEFAULT '',
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
