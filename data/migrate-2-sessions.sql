-- Schema version 2: web UI logins, and one-use ticket links.

-- scrypt hash ($scrypt$ln=…,r=…,p=…$SALT$HASH); NULL: no web login.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- One row per browser session; the cookie carries the token, the row only
-- its SHA-256. Rows past expires_us are refused and purged at the next login.
CREATE TABLE sessions (
  token_hash  BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_us  INTEGER NOT NULL,
  expires_us  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_expiry ON sessions (expires_us);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- A link that hands out one reservation's ticket once, without a key, for a
-- short while ("Open in uploader"). Only the token's SHA-256 is stored.
CREATE TABLE ticket_links (
  token_hash      BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  reservation_id  TEXT NOT NULL REFERENCES reservations (id),
  expires_us      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX ticket_links_by_expiry ON ticket_links (expires_us);
