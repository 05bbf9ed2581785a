-- The booking rule of Slotcast in PostgreSQL, for bench/booking/run.sh.
-- Stream exclusivity is an EXCLUDE USING gist constraint; the node capacity
-- is checked in the booking transaction under a lock on the node's row.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE nodes (
  id        int PRIMARY KEY,
  capacity  int NOT NULL
);

CREATE TABLE reservations (
  id            uuid PRIMARY KEY,
  owner_id      int NOT NULL,
  node_id       int NOT NULL REFERENCES nodes,
  stream        text NOT NULL,
  period        tstzrange NOT NULL,
  visibility    text NOT NULL,
  state         text NOT NULL DEFAULT 'booked',
  publish_hash  bytea NOT NULL UNIQUE,
  created       timestamptz NOT NULL DEFAULT now(),
  EXCLUDE USING gist (stream WITH =, period WITH &&) WHERE (state = 'booked')
);
CREATE INDEX reservations_node_period ON reservations USING gist (node_id, period)
  WHERE state = 'booked';
CREATE INDEX reservations_owner ON reservations (owner_id, lower(period));

-- The same 100,000 reservations as bench/booking/preload.c: 20 nodes of
-- capacity 8, 6 places taken hour after hour from :base.
INSERT INTO nodes SELECT n, 8 FROM generate_series(0, 19) n;
INSERT INTO reservations (id, owner_id, node_id, stream, period, visibility, publish_hash)
SELECT gen_random_uuid(), 1, i % 20, format('pre-%s-%s-%s', i % 20, (i / 20) % 6, i / 120),
       tstzrange(to_timestamp(:base) + (i / 120) * interval '1 hour',
                 to_timestamp(:base) + (i / 120 + 1) * interval '1 hour'),
       'public', sha256(int4send(i))
FROM generate_series(0, 99999) i;
CREATE SEQUENCE bench_seq;
VACUUM ANALYZE;
