-- The feed's order (schema/events.ts). Writers number their events with `seq` as they write
-- them, but transactions commit in another order: a reader that paged by `seq` would step over
-- an event whose transaction commits after it read a later one. stockroom_publish_events gives
-- events their `position`, the feed's order, once nothing can still appear before them:
--
-- * Only events of finished transactions: xid below the oldest running transaction id
--   (pg_snapshot_xmin). Every transaction that can still write has an id at or above it.
-- * Only events below the smallest `seq` among committed but not yet publishable events (those
--   whose xid is at or above the horizon, committed while an older transaction still runs).
--   A transaction that waited for a level's lock may hold an older id than the one that held
--   the lock and committed first; this keeps the holder's events ahead of the waiter's, so the
--   feed agrees with each level's ledger order.
--
-- Publishers take turns (a transaction-scoped advisory lock; one that finds it taken returns
-- 0, the other publishes), and number on from the last position, in `seq` order.
--
-- This file is the current source of the function; the server installs it after the migrations
-- whenever it changed, and a test checks the database's definition against it.
DROP FUNCTION IF EXISTS stockroom_publish_events(integer);
--> statement-breakpoint
CREATE FUNCTION stockroom_publish_events(max_events integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  horizon xid8;
  cutoff bigint;
  base bigint;
  published integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(7264119) THEN
    RETURN 0;
  END IF;
  -- Each statement below reads a snapshot taken after this one: every event with an xid
  -- under the horizon that committed is visible to them.
  horizon := pg_snapshot_xmin(pg_current_snapshot());
  SELECT min(e.seq) INTO cutoff FROM events e WHERE e.position IS NULL AND e.xid >= horizon;
  SELECT coalesce(max(e.position), 0) INTO base FROM events e WHERE e.position IS NOT NULL;
  UPDATE events e SET position = base + p.n
  FROM (
    SELECT u.seq, row_number() OVER (ORDER BY u.seq) AS n FROM events u
    WHERE u.position IS NULL AND u.xid < horizon AND u.seq < coalesce(cutoff, 9223372036854775807)
    ORDER BY u.seq
    LIMIT max_events
  ) p
  WHERE e.seq = p.seq;
  GET DIAGNOSTICS published = ROW_COUNT;
  RETURN published;
END $$;
