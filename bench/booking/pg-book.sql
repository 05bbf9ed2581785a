-- One booking, as pgbench runs it: lock the node, count what overlaps the
-- window there, insert if a place is free (the EXCLUDE constraint guards
-- the stream name). :base is the preload's first hour. Booking i takes node
-- i % 20, hour (i / 20) % 834, as bench/booking/loadgen.c does.
SELECT nextval('bench_seq') - 1 AS i \gset
\set n :i % 20
\set h (:i / 20) % 834
BEGIN;
SELECT capacity FROM nodes WHERE id = :n FOR UPDATE;
INSERT INTO reservations (id, owner_id, node_id, stream, period, visibility, publish_hash)
SELECT gen_random_uuid(), 1, :n, format('bench-%s', :i),
       tstzrange(to_timestamp(:base) + :h * interval '1 hour',
                 to_timestamp(:base) + (:h + 1) * interval '1 hour'),
       'public', sha256(int8send(:i) || int4send(:client_id))
WHERE (SELECT count(*) FROM reservations
       WHERE node_id = :n AND state = 'booked'
         AND period && tstzrange(to_timestamp(:base) + :h * interval '1 hour',
                                 to_timestamp(:base) + (:h + 1) * interval '1 hour'))
      < (SELECT capacity FROM nodes WHERE id = :n);
COMMIT;
