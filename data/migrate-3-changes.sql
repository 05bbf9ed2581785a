-- Schema version 3: a change sequence over reservations, so that an ingest
-- node can keep a copy of its own reservations and ask only for what
-- changed since its last look (GET /api/v1/ingest/reservations).
--
-- Every insert, and every update of a field a node uses, takes the next
-- number of change_seq (one row) as the row's seq. Writers are serialised
-- by SQLite's write lock, so seq order is commit order: a reader that saw
-- seq N has seen every change numbered N or less. Triggers keep the rule
-- in the database, whichever process writes.

ALTER TABLE reservations ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

CREATE TABLE change_seq (last INTEGER NOT NULL);
INSERT INTO change_seq (last) SELECT coalesce(max(rowid), 0) FROM reservations;
UPDATE reservations SET seq = rowid;

CREATE INDEX reservations_node_seq ON reservations (node_id, seq);

CREATE TRIGGER reservations_seq_insert AFTER INSERT ON reservations
BEGIN
  UPDATE change_seq SET last = last + 1;
  UPDATE reservations SET seq = (SELECT last FROM change_seq)
    WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER reservations_seq_update
  AFTER UPDATE OF node_id, stream, start_us, end_us, visibility, state
  ON reservations
BEGIN
  UPDATE change_seq SET last = last + 1;
  UPDATE reservations SET seq = (SELECT last FROM change_seq)
    WHERE rowid = NEW.rowid;
END;
