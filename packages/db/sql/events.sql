-- The event feed's frontier (schema/events.ts). Writers take an event's `seq` from a sequence
-- as they write it (movements_seq_seq, shared by ledger rows, which are stock.changed events,
-- and the events table), but transactions commit in another order: a reader that paged by `seq`
-- over every committed row would step over an event whose transaction commits after it read
-- a later one. So the feed is read only up to `event_watermark.published`, a `seq` below which
-- every transaction that took one has finished (committed or rolled back):
--
-- 1. The publisher reads the sequence's last value F, then, in a later statement, takes its own
--    transaction id M and the transactions R that may still run with an id below M (a
--    snapshot's in-progress ids, and every id from the snapshot's xmax up to M, which no
--    snapshot lists; less those seen running in other databases). Every seq up to F was taken
--    before M was, by a transaction that already had its id (writers take an id before a seq:
--    see stockroom_write_events, and stockroom_apply writes levels before ledger rows), so
--    that transaction was either finished or in R.
-- 2. Once every transaction of R has finished (a later snapshot sees each as completed, so
--    its rows are visible to every snapshot taken after this one's commit), `published`
--    moves to F. F is kept as the candidate meanwhile.
--
-- Nothing is written per event: a publish is one small row update, whatever the write rate.
-- Publishers take turns (a transaction-scoped advisory lock; one that finds it taken returns
-- at once). It must run in READ COMMITTED, where each statement below takes a new snapshot.
-- The sequence must keep CACHE 1 (the default): its last value is then the highest seq taken
-- by any session.
--
-- This file is the current source of these functions; the server installs it after the
-- migrations whenever it changed, and a test checks the database's definition against it.
DROP FUNCTION IF EXISTS stockroom_publish_events();
--> statement-breakpoint
DROP FUNCTION IF EXISTS stockroom_write_events(jsonb);
--> statement-breakpoint
-- Moves the watermark as far as it can now; answers how many seqs it published.
CREATE FUNCTION stockroom_publish_events() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  w event_watermark%ROWTYPE;
  before bigint;
  last_taken bigint;
  mine xid8;
  snap pg_snapshot;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'stockroom_publish_events needs READ COMMITTED';
  END IF;
  IF NOT pg_try_advisory_xact_lock(7264119) THEN
    RETURN 0;
  END IF;
  SELECT * INTO w FROM event_watermark WHERE id = 1;
  before := w.published;
  -- Twice: publish the waiting candidate, take a new one, and publish that too when nothing
  -- was running as it was taken (an idle database publishes a write at the next call).
  FOR round IN 1 .. 2 LOOP
    IF w.candidate > w.published AND NOT EXISTS (
      SELECT 1 FROM unnest(w.candidate_xip) AS x(id)
      WHERE NOT pg_visible_in_snapshot(x.id::xid8, pg_current_snapshot())
    ) THEN
      w.published := w.candidate;
    END IF;
    EXIT WHEN w.candidate > w.published;
    SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END INTO last_taken FROM movements_seq_seq s;
    EXIT WHEN last_taken <= w.published;
    w.candidate := last_taken;
    -- Every seq up to last_taken was taken by a transaction whose id is below ours (it had its
    -- id before its seq, and we take ours now, after reading last_taken). Of those, the ones
    -- still running are the snapshot's in-progress list AND any at or above its xmax: a
    -- snapshot lists only ids below xmax (one past the newest finished id), so the newest
    -- writer, running alone, is in no list. So every id from xmax up to ours is waited for
    -- too (few: ids handed out since the newest finish); finished ones pass at once.
    mine := pg_current_xact_id();
    snap := pg_current_snapshot();
    -- Transactions known to run in another database cannot write these events: left out, so a
    -- long one elsewhere in the cluster does not hold the feed back. (A backend never changes
    -- database; one missing from the view is kept, which only waits longer.)
    w.candidate_xip := ARRAY(
      SELECT x::text FROM (
        SELECT pg_snapshot_xip(snap) AS x
        UNION ALL
        SELECT g::text::xid8 FROM generate_series(pg_snapshot_xmax(snap)::text::numeric, mine::text::numeric - 1) AS g
      ) AS r
      WHERE (x::text::numeric % 4294967296)::text NOT IN (
        SELECT a.backend_xid::text FROM pg_stat_activity a
        WHERE a.backend_xid IS NOT NULL AND a.datname IS DISTINCT FROM current_database()));
  END LOOP;
  UPDATE event_watermark SET published = w.published, candidate = w.candidate, candidate_xip = w.candidate_xip,
                             updated_at = now()
  WHERE id = 1;
  RETURN w.published - before;
END $$;
--> statement-breakpoint
-- Writes events (a JSON array of {type, productId, storeId, data}) in order, in the caller's
-- transaction, answering each one's seq and id. The transaction takes its id first (see above).
CREATE FUNCTION stockroom_write_events(list jsonb) RETURNS TABLE (seq bigint, id uuid) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_current_xact_id();
  RETURN QUERY
  INSERT INTO events AS ev (type, product_id, store_id, data)
  SELECT e.v->>'type', (e.v->>'productId')::uuid, e.v->>'storeId', e.v->'data'
  FROM jsonb_array_elements(list) WITH ORDINALITY AS e(v, n)
  ORDER BY e.n
  RETURNING ev.seq, ev.id;
END $$;
