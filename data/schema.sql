-- SPDX-License-Identifier: LGPL-2.1-or-later
-- Slotcast database, version 1. Times are microseconds since the Unix epoch
-- (UTC). Secrets are never stored: only their SHA-256, and for reservation
-- tokens an AES-256-GCM sealed copy whose key lives outside the database.

CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL CHECK (role IN ('operator', 'broadcaster')),
  key_hash    BLOB NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  created_us  INTEGER NOT NULL
);

CREATE TABLE nodes (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  public_host TEXT NOT NULL,
  rtsp_port   INTEGER NOT NULL CHECK (rtsp_port BETWEEN 0 AND 65535),
  rtmp_port   INTEGER NOT NULL CHECK (rtmp_port BETWEEN 0 AND 65535),
  capacity    INTEGER NOT NULL CHECK (capacity >= 0),
  dial_in     TEXT,
  key_hash    BLOB UNIQUE CHECK (key_hash IS NULL OR length(key_hash) = 32),
  created_us  INTEGER NOT NULL,
  -- The longest reservation ever booked on this node (never decreases):
  -- overlap scans look back this far, see below.
  longest_us  INTEGER NOT NULL DEFAULT 0 CHECK (longest_us >= 0)
);

CREATE TABLE reservations (
  id              TEXT PRIMARY KEY,
  owner_id        INTEGER NOT NULL REFERENCES users (id),
  node_id         INTEGER NOT NULL REFERENCES nodes (id),
  stream          TEXT NOT NULL,
  start_us        INTEGER NOT NULL,
  end_us          INTEGER NOT NULL,
  visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
  state           TEXT NOT NULL DEFAULT 'booked'
                    CHECK (state IN ('booked', 'cancelled')),
  publish_hash    BLOB NOT NULL UNIQUE CHECK (length(publish_hash) = 32),
  publish_sealed  BLOB NOT NULL,
  view_hash       BLOB CHECK (view_hash IS NULL OR length(view_hash) = 32),
  view_sealed     BLOB,
  created_us      INTEGER NOT NULL,
  cancelled_us    INTEGER,
  CHECK (end_us > start_us),
  CHECK ((visibility = 'private') = (view_hash IS NOT NULL))
);

-- Overlap queries scan start_us in (start - longest, end), where longest is
-- the node's longest_us (or the longest of all nodes for a stream name): a
-- booked row that starts earlier ends before start. The range is bounded
-- whatever the table holds, and the indexes cover end_us too, so the
-- checks never touch the table.
CREATE INDEX reservations_stream_window
  ON reservations (stream, state, start_us, end_us);
CREATE INDEX reservations_node_window
  ON reservations (node_id, state, start_us, end_us);
-- Only private reservations have a view token: index only those.
CREATE UNIQUE INDEX reservations_view_hash ON reservations (view_hash)
  WHERE view_hash IS NOT NULL;
CREATE INDEX reservations_owner_start ON reservations (owner_id, start_us);
CREATE INDEX reservations_start ON reservations (start_us);
