-- THE ONE DOOR for every stock change: adjustments, counts, thresholds, transfers,
-- reservation holds (take, commit, release, lapse), shipments (ship, receive, reject, write
-- off), and whatever moves stock next. The server and the demo seed go through stockroom_apply;
-- nothing else in the service writes stock_levels.quantity or the ledger (only the bench's
-- bulk seed and tests that build odd states on purpose write those tables directly).
--
-- This file is the current source of these types and of the function. The server installs
-- it after the migrations whenever the file changed (packages/db/src/sql-sources.ts), and a
-- test checks that the database's definition equals this text.
DROP FUNCTION IF EXISTS stockroom_apply(jsonb);
--> statement-breakpoint
DROP TYPE IF EXISTS stockroom_outcome;
--> statement-breakpoint
DROP TYPE IF EXISTS stockroom_change;
--> statement-breakpoint
-- One change of one stock level. Changes with the same `op` form one operation (a transfer's
-- two legs): all of them apply, or none.
CREATE TYPE stockroom_change AS (
  op integer,
  product_id uuid,
  store_id varchar,
  kind movement_kind,
  -- Units added (negative: taken). Ignored when `count` is given.
  delta integer,
  -- A stock count: the level becomes this many units; the ledger row carries the difference.
  count integer,
  -- A new minimum for the level, when given.
  min_stock integer,
  -- Compare-and-swap: refuse unless the level holds exactly this many units now.
  expected integer,
  reason varchar,
  reference varchar,
  transfer_id uuid,
  actor uuid,
  -- The reservation the change belongs to (its ledger row carries it).
  reservation_id uuid,
  -- A hold on the level, for reservation_id's line of this product:
  --   'take'   opens the line with `units` units, which must be available; it lapses at `expires_at`;
  --   'drop'   closes the line, which must still be open (refused 'not_held' otherwise);
  --   'lapse'  closes the line if it is still open (an expired reservation).
  -- A commit drops the line and takes the sold units (`delta`) in the same change.
  hold text,
  units integer,
  expires_at timestamptz,
  -- The shipment the change belongs to (its ledger row carries it).
  shipment_id uuid,
  -- Units added to the level's `incoming` (in transit towards it): positive when a shipment
  -- leaves for it, negative when units arrive, are rejected or are written off. `incoming`
  -- never goes below 0 (refused 'transit').
  transit integer
);
--> statement-breakpoint
-- The answer for one change. `outcome` is 'ok', or the refusal of the whole operation,
-- answered once, by the change that was refused:
--   'insufficient'  the level had `found` units available (on hand less reserved), fewer than
--                   the change takes or holds;
--   'stale'         `expected` was given and the level held `found` instead;
--   'reserved'      a count would leave fewer units on hand than the `found` reserved;
--   'not_held'      a 'drop' found the reservation's line closed (committed, released, lapsed);
--   'transit'       the level had `found` units incoming, fewer than the change takes out of transit;
--   'no_product'    the product does not exist or is deleted;
--   'no_store'      the store does not exist or is deleted.
-- An applied change answers its ledger row (NULL columns when it changed no quantity: a count
-- that found what it counted, a new minimum alone) and its level as that row left it.
CREATE TYPE stockroom_outcome AS (
  op integer,
  change integer,
  outcome text,
  found integer,
  movement_id uuid,
  seq bigint,
  kind movement_kind,
  delta integer,
  reason varchar,
  reference varchar,
  transfer_id uuid,
  actor uuid,
  created_at timestamptz,
  product_id uuid,
  store_id varchar,
  quantity integer,
  reserved integer,
  min_stock integer,
  updated_at timestamptz,
  reservation_id uuid,
  sku varchar,
  name varchar,
  category varchar,
  price numeric,
  incoming integer,
  shipment_id uuid
);
--> statement-breakpoint
-- Applies a JSON array of stockroom_change objects (keys as the type's attributes) in ONE
-- statement, and answers one stockroom_outcome per applied change plus one per refused
-- operation, in the order of the changes.
--
-- 1. Locks the existing levels the changes name, in ONE global order: store id in the "C"
--    collation, then product id. Every writer locks levels only here, so writers cannot
--    deadlock on levels. The quantities read are the latest committed ones. On those levels
--    that hold reserved units, closes the reservation lines that have lapsed (expires_at
--    passed): from its expiry on, a hold counts for no write. Then locks the lines the
--    changes drop.
-- 2. Judges the operations in order, each change against the running quantities the ones
--    before it left (as if they had run one after another). A refused operation leaves the
--    running quantities as they were and answers why; the others still apply. A level that
--    does not exist yet holds 0 units and a minimum of 0, and is created if a change of an
--    applied operation touches it. Nothing may take or hold more than is available
--    (on hand less reserved).
-- 3. Locks the rows of products whose total changes, in id order, and updates the totals.
-- 4. Locks the counter rows (store_counts, store_category_counts) the level triggers will
--    change, store by store in the same order as the levels, before the triggers fire.
-- 5. Creates the new levels, updates the changed ones (each once, to its final state), opens
--    and closes reservation lines, and writes the ledger rows in one INSERT, in change order,
--    quantity_after the running sum, reserved_after the level's reserved units. Each ledger row
--    is a stock.changed event (schema/events.ts): its seq is the feed's.
-- 6. Writes stock.low / stock.restored events (the outbox) when a level's available units
--    cross its minimum (judged change by change, so each crossing is reported once, by the
--    change that made it; holds that lapsed in step 1 are reported alone, first), after the
--    call's ledger rows.
-- Levels, then reservation lines, then products, then counters: every stock change takes its
-- locks in that order. A level that another transaction created after step 1 (two first
-- receipts racing) fails the statement with serialization_failure (40001), which callers retry.
CREATE FUNCTION stockroom_apply(changes jsonb) RETURNS SETOF stockroom_outcome LANGUAGE plpgsql AS $$
DECLARE
  c_op integer[];
  c_product uuid[];
  c_store varchar[];
  c_kind movement_kind[];
  c_delta integer[];
  c_count integer[];
  c_min integer[];
  c_expected integer[];
  c_reason varchar[];
  c_reference varchar[];
  c_transfer uuid[];
  c_actor uuid[];
  c_reservation uuid[];
  c_hold text[];
  c_units integer[];
  c_expires timestamptz[];
  c_shipment uuid[];
  c_transit integer[];
  -- The levels, by key '<product> <store>': quantity, reserved, minimum and incoming before,
  -- running and after.
  keys text[];
  l_product uuid[];
  l_store varchar[];
  l_category varchar[];
  l_new boolean[];
  l_touched boolean[];
  qty0 integer[];
  res0 integer[];
  min0 integer[];
  qty integer[];
  res integer[];
  mins integer[];
  inc0 integer[];
  inc integer[];
  live_products uuid[];
  live_stores varchar[];
  -- The open lines the changes drop or lapse, by key '<reservation> <product>'.
  h_keys text[] := '{}';
  h_units integer[] := '{}';
  h_open boolean[] := '{}';
  -- Saved at the start of each operation, to undo a refused one.
  saved_qty integer[];
  saved_res integer[];
  saved_min integer[];
  saved_inc integer[];
  saved_touched boolean[];
  saved_open boolean[];
  saved_legs integer;
  saved_outs integer;
  saved_takes integer;
  -- The ledger rows to write.
  g_id uuid[] := '{}';
  g_change integer[] := '{}';
  g_delta integer[] := '{}';
  g_after integer[] := '{}';
  -- The lines to open (the changes that take).
  t_change integer[] := '{}';
  -- The answers, in change order.
  o_op integer[] := '{}';
  o_change integer[] := '{}';
  o_outcome text[] := '{}';
  o_found integer[] := '{}';
  o_leg integer[] := '{}';
  o_after integer[] := '{}';
  o_res integer[] := '{}';
  o_min integer[] := '{}';
  o_inc integer[] := '{}';
  n integer;
  i integer;
  k integer;
  h integer;
  d integer;
  refused text;
  releases boolean;
  found_qty integer;
  created integer;
  ctr record;
  lapsed record;
  locked_store varchar;
  -- Gathered for the writes: new levels, changed levels, product totals, counters to lock.
  n_product uuid[] := '{}';
  n_store varchar[] := '{}';
  n_qty integer[] := '{}';
  n_res integer[] := '{}';
  n_min integer[] := '{}';
  n_inc integer[] := '{}';
  u_product uuid[] := '{}';
  u_store varchar[] := '{}';
  u_qty integer[] := '{}';
  u_res integer[] := '{}';
  u_min integer[] := '{}';
  u_inc integer[] := '{}';
  t_product uuid[] := '{}';
  t_net integer[] := '{}';
  x_store varchar[] := '{}';
  x_category varchar[] := '{}';
  d_reservation uuid[] := '{}';
  d_product uuid[] := '{}';
  -- Events: whether each level was under its minimum when last reported (NULL: not yet, then
  -- as it was before step 1), and the crossings to write: level, change (NULL: a lapse
  -- alone), under after.
  l_low boolean[] := '{}';
  saved_low boolean[];
  saved_crossings integer;
  w_k integer[] := '{}';
  w_change integer[] := '{}';
  w_low boolean[] := '{}';
  w_qty integer[] := '{}';
  w_res integer[] := '{}';
  w_min integer[] := '{}';
  w_leg integer[] := '{}';
  -- Events: each ledger row's level reserved after it.
  g_res integer[] := '{}';
  -- Sequence numbers given out in change order when the call crossed a minimum (else the
  -- ledger rows take theirs as they are written): ledger rows, crossings.
  g_seq bigint[] := '{}';
  w_seq bigint[] := '{}';
  w_order integer[];
  taken bigint[];
  next_leg integer;
  next_crossing integer;
BEGIN
  SELECT array_agg(r.op), array_agg(r.product_id), array_agg(r.store_id), array_agg(r.kind), array_agg(r.delta),
         array_agg(r.count), array_agg(r.min_stock), array_agg(r.expected), array_agg(r.reason), array_agg(r.reference),
         array_agg(r.transfer_id), array_agg(r.actor), array_agg(r.reservation_id), array_agg(r.hold),
         array_agg(r.units), array_agg(r.expires_at), array_agg(r.shipment_id), array_agg(r.transit)
  INTO c_op, c_product, c_store, c_kind, c_delta, c_count, c_min, c_expected, c_reason, c_reference,
       c_transfer, c_actor, c_reservation, c_hold, c_units, c_expires, c_shipment, c_transit
  -- One function scan: its rows, and so every array, in the order of the JSON array.
  FROM jsonb_populate_recordset(NULL::stockroom_change, changes) AS r;
  n := coalesce(cardinality(c_op), 0);
  IF n = 0 THEN
    RETURN;
  END IF;

  -- 1. Lock the existing levels in the global order (the order the rows are locked in; the
  -- arrays only have to agree with each other), and see which products and stores are live.
  SELECT array_agg(l.product_id::text || ' ' || l.store_id), array_agg(l.product_id), array_agg(l.store_id),
         array_agg(l.category), array_agg(l.quantity), array_agg(l.reserved), array_agg(l.min_stock),
         array_agg(l.incoming),
         (SELECT array_agg(p.id) FROM products p WHERE p.id = ANY(c_product) AND p.deleted_at IS NULL),
         (SELECT array_agg(st.id) FROM stores st WHERE st.id = ANY(c_store) AND st.deleted_at IS NULL)
  INTO keys, l_product, l_store, l_category, qty0, res0, min0, inc0, live_products, live_stores
  FROM (
    SELECT s.product_id, s.store_id, s.category, s.quantity, s.reserved, s.min_stock, s.incoming FROM stock_levels s
    WHERE (s.product_id, s.store_id) IN (SELECT * FROM unnest(c_product, c_store))
    ORDER BY s.store_id COLLATE "C", s.product_id
    FOR UPDATE
  ) l;
  keys := coalesce(keys, '{}');
  l_product := coalesce(l_product, '{}');
  l_store := coalesce(l_store, '{}');
  l_category := coalesce(l_category, '{}');
  qty0 := coalesce(qty0, '{}');
  res0 := coalesce(res0, '{}');
  min0 := coalesce(min0, '{}');
  inc0 := coalesce(inc0, '{}');
  l_new := array_fill(false, ARRAY[cardinality(keys)]);
  l_touched := l_new;
  qty := qty0;
  res := res0;
  mins := min0;
  inc := inc0;

  -- Holds that lapsed on these levels stop holding now: close their lines (the reservation's
  -- own status turns 'expired' when the sweeper gets to it; reads count it expired already).
  IF EXISTS (SELECT 1 FROM unnest(res0) AS r(v) WHERE r.v > 0) THEN
    FOR lapsed IN
      UPDATE reservation_lines rl SET open = false
      WHERE rl.open AND rl.expires_at <= now()
        AND (rl.product_id, rl.store_id) IN (
          SELECT v.p, v.s FROM unnest(l_product, l_store, res0) AS v(p, s, r) WHERE v.r > 0)
      RETURNING rl.product_id, rl.store_id, rl.quantity
    LOOP
      k := array_position(keys, lapsed.product_id::text || ' ' || lapsed.store_id);
      res[k] := res[k] - lapsed.quantity;
      l_touched[k] := true;
    END LOOP;
  END IF;

  -- The lines the changes drop or lapse, locked (after their levels), open ones only.
  IF EXISTS (SELECT 1 FROM unnest(c_hold) AS x(h) WHERE x.h IN ('drop', 'lapse')) THEN
    SELECT coalesce(array_agg(rl.reservation_id::text || ' ' || rl.product_id), '{}'),
           coalesce(array_agg(rl.quantity), '{}')
    INTO h_keys, h_units
    FROM (
      SELECT r.reservation_id, r.product_id, r.quantity FROM reservation_lines r
      WHERE r.open AND (r.reservation_id, r.product_id) IN (
        SELECT v.r, v.p FROM unnest(c_reservation, c_product, c_hold) AS v(r, p, h) WHERE v.h IN ('drop', 'lapse'))
      ORDER BY r.reservation_id, r.product_id
      FOR UPDATE
    ) rl;
    h_open := array_fill(true, ARRAY[cardinality(h_keys)]);
  END IF;

  -- 2. Judge the operations in order.
  i := 1;
  WHILE i <= n LOOP
    IF i = 1 OR c_op[i] IS DISTINCT FROM c_op[i - 1] THEN
      saved_qty := qty;
      saved_res := res;
      saved_min := mins;
      saved_inc := inc;
      saved_touched := l_touched;
      saved_open := h_open;
      saved_legs := cardinality(g_id);
      saved_outs := cardinality(o_op);
      saved_takes := cardinality(t_change);
      saved_low := l_low;
      saved_crossings := cardinality(w_k);
      refused := NULL;
    END IF;
    k := array_position(keys, c_product[i]::text || ' ' || c_store[i]);
    -- A hold that only ends (release, lapse), and units that only leave transit (rejected,
    -- written off), end even on a deleted product or store.
    releases := coalesce(c_hold[i] IN ('drop', 'lapse') OR c_transit[i] < 0, false)
                AND coalesce(c_delta[i], 0) = 0 AND c_count[i] IS NULL;
    IF NOT coalesce(c_product[i] = ANY(live_products), releases) THEN
      refused := 'no_product';
      found_qty := NULL;
    ELSIF NOT coalesce(c_store[i] = ANY(live_stores), releases) THEN
      refused := 'no_store';
      found_qty := NULL;
    ELSE
      IF k IS NULL THEN
        keys := keys || (c_product[i]::text || ' ' || c_store[i]);
        k := cardinality(keys);
        l_product := l_product || c_product[i];
        l_store := l_store || c_store[i];
        l_category := l_category || (SELECT p.category FROM products p WHERE p.id = c_product[i]);
        l_new := l_new || true;
        l_touched := l_touched || false;
        saved_touched := saved_touched || false;
        qty0 := qty0 || 0;
        res0 := res0 || 0;
        min0 := min0 || 0;
        qty := qty || 0;
        res := res || 0;
        mins := mins || 0;
        inc0 := inc0 || 0;
        inc := inc || 0;
        saved_qty := saved_qty || 0;
        saved_res := saved_res || 0;
        saved_min := saved_min || 0;
        saved_inc := saved_inc || 0;
      END IF;
      -- The hold first: a commit releases its line, then sells out of what it released.
      IF c_hold[i] = 'take' THEN
        IF qty[k] - res[k] < c_units[i] THEN
          refused := 'insufficient';
          found_qty := qty[k] - res[k];
        ELSE
          res[k] := res[k] + c_units[i];
          t_change := t_change || i;
        END IF;
      ELSIF c_hold[i] IN ('drop', 'lapse') THEN
        h := array_position(h_keys, c_reservation[i]::text || ' ' || c_product[i]);
        IF h IS NOT NULL AND h_open[h] THEN
          res[k] := res[k] - h_units[h];
          h_open[h] := false;
        ELSIF c_hold[i] = 'drop' THEN
          refused := 'not_held';
          found_qty := NULL;
        END IF;
      END IF;
      -- Transit: units on their way to the level, arriving or leaving the system.
      IF refused IS NULL AND coalesce(c_transit[i], 0) <> 0 THEN
        IF inc[k] + c_transit[i] < 0 THEN
          refused := 'transit';
          found_qty := inc[k];
        ELSE
          inc[k] := inc[k] + c_transit[i];
        END IF;
      END IF;
      IF refused IS NULL THEN
        d := CASE WHEN c_count[i] IS NOT NULL THEN c_count[i] - qty[k] ELSE coalesce(c_delta[i], 0) END;
        IF c_expected[i] IS NOT NULL AND qty[k] <> c_expected[i] THEN
          refused := 'stale';
          found_qty := qty[k];
        ELSIF c_count[i] IS NOT NULL AND c_count[i] < res[k] THEN
          refused := 'reserved';
          found_qty := res[k];
        ELSIF d < 0 AND qty[k] + d < res[k] THEN
          refused := 'insufficient';
          found_qty := qty[k] - res[k];
        ELSE
          qty[k] := qty[k] + d;
          IF c_min[i] IS NOT NULL THEN
            mins[k] := c_min[i];
          END IF;
          l_touched[k] := true;
          o_op := o_op || c_op[i];
          o_change := o_change || i;
          o_outcome := o_outcome || 'ok'::text;
          o_found := o_found || NULL::integer;
          o_after := o_after || qty[k];
          o_res := o_res || res[k];
          o_min := o_min || mins[k];
          o_inc := o_inc || inc[k];
          IF d <> 0 THEN
            g_id := g_id || gen_random_uuid();
            g_change := g_change || i;
            g_delta := g_delta || d;
            g_after := g_after || qty[k];
            g_res := g_res || res[k];
            o_leg := o_leg || cardinality(g_id);
          ELSE
            o_leg := o_leg || NULL::integer;
          END IF;
          -- Events: did this change carry the level across its minimum?
          IF coalesce(l_low[k], qty0[k] - res0[k] < min0[k]) <> (qty[k] - res[k] < mins[k]) THEN
            l_low[k] := qty[k] - res[k] < mins[k];
            w_k := w_k || k;
            w_change := w_change || i;
            w_low := w_low || l_low[k];
            w_qty := w_qty || qty[k];
            w_res := w_res || res[k];
            w_min := w_min || mins[k];
            w_leg := w_leg || o_leg[cardinality(o_leg)];
          END IF;
        END IF;
      END IF;
    END IF;
    IF refused IS NOT NULL THEN
      -- Undo the operation's earlier changes and answer its refusal once.
      qty := saved_qty;
      res := saved_res;
      mins := saved_min;
      inc := saved_inc;
      l_touched := saved_touched;
      h_open := saved_open;
      g_id := g_id[1:saved_legs];
      g_change := g_change[1:saved_legs];
      g_delta := g_delta[1:saved_legs];
      g_after := g_after[1:saved_legs];
      g_res := g_res[1:saved_legs];
      t_change := t_change[1:saved_takes];
      l_low := saved_low;
      w_k := w_k[1:saved_crossings];
      w_change := w_change[1:saved_crossings];
      w_low := w_low[1:saved_crossings];
      w_qty := w_qty[1:saved_crossings];
      w_res := w_res[1:saved_crossings];
      w_min := w_min[1:saved_crossings];
      w_leg := w_leg[1:saved_crossings];
      o_op := o_op[1:saved_outs];
      o_change := o_change[1:saved_outs];
      o_outcome := o_outcome[1:saved_outs];
      o_found := o_found[1:saved_outs];
      o_leg := o_leg[1:saved_outs];
      o_after := o_after[1:saved_outs];
      o_res := o_res[1:saved_outs];
      o_min := o_min[1:saved_outs];
      o_inc := o_inc[1:saved_outs];
      o_op := o_op || c_op[i];
      o_change := o_change || i;
      o_outcome := o_outcome || refused;
      o_found := o_found || found_qty;
      o_leg := o_leg || NULL::integer;
      o_after := o_after || NULL::integer;
      o_res := o_res || NULL::integer;
      o_min := o_min || NULL::integer;
      o_inc := o_inc || NULL::integer;
      -- Skip the rest of the operation.
      WHILE i < n AND c_op[i + 1] IS NOT DISTINCT FROM c_op[i] LOOP
        i := i + 1;
      END LOOP;
    END IF;
    i := i + 1;
  END LOOP;

  IF NOT (true = ANY(l_touched)) THEN
    RETURN QUERY
    SELECT o_op[u.j], o_change[u.j], o_outcome[u.j], o_found[u.j], NULL::uuid, NULL::bigint, NULL::movement_kind,
           NULL::integer, NULL::varchar, NULL::varchar, NULL::uuid, NULL::uuid, NULL::timestamptz,
           c_product[o_change[u.j]], c_store[o_change[u.j]], NULL::integer, NULL::integer, NULL::integer,
           NULL::timestamptz, NULL::uuid, NULL::varchar, NULL::varchar, NULL::varchar, NULL::numeric,
           NULL::integer, NULL::uuid
    FROM generate_subscripts(o_op, 1) AS u(j)
    ORDER BY u.j;
    RETURN;
  END IF;

  -- What to write, gathered level by level. (Statements below then read arrays of the
  -- handful of rows concerned, so their plans are index lookups, never scans.)
  FOR k IN 1 .. cardinality(keys) LOOP
    CONTINUE WHEN NOT l_touched[k];
    IF l_new[k] THEN
      n_product := n_product || l_product[k];
      n_store := n_store || l_store[k];
      n_qty := n_qty || qty[k];
      n_res := n_res || res[k];
      n_min := n_min || mins[k];
      n_inc := n_inc || inc[k];
    ELSE
      u_product := u_product || l_product[k];
      u_store := u_store || l_store[k];
      u_qty := u_qty || qty[k];
      u_res := u_res || res[k];
      u_min := u_min || mins[k];
      u_inc := u_inc || inc[k];
    END IF;
    IF qty[k] <> qty0[k] THEN
      i := array_position(t_product, l_product[k]);
      IF i IS NULL THEN
        t_product := t_product || l_product[k];
        t_net := t_net || (qty[k] - qty0[k]);
      ELSE
        t_net[i] := t_net[i] + (qty[k] - qty0[k]);
      END IF;
    END IF;
    -- "Under its minimum" compares what is available with the minimum (as the triggers do).
    IF l_new[k] OR (qty0[k] - res0[k] < min0[k]) <> (qty[k] - res[k] < mins[k]) THEN
      x_store := x_store || l_store[k];
      x_category := x_category || l_category[k];
    END IF;
    -- Events: a crossing no applied change reported (holds that lapsed in step 1, alone).
    IF coalesce(l_low[k], qty0[k] - res0[k] < min0[k]) <> (qty[k] - res[k] < mins[k]) THEN
      w_k := w_k || k;
      w_change := w_change || NULL::integer;
      w_low := w_low || (qty[k] - res[k] < mins[k]);
      w_qty := w_qty || qty[k];
      w_res := w_res || res[k];
      w_min := w_min || mins[k];
      w_leg := w_leg || NULL::integer;
    END IF;
  END LOOP;
  FOR h IN 1 .. cardinality(h_keys) LOOP
    CONTINUE WHEN h_open[h];
    d_reservation := d_reservation || split_part(h_keys[h], ' ', 1)::uuid;
    d_product := d_product || split_part(h_keys[h], ' ', 2)::uuid;
  END LOOP;

  -- Reservation lines: the dropped and lapsed ones close (locked above), the taken ones open.
  IF cardinality(d_reservation) > 0 THEN
    UPDATE reservation_lines rl SET open = false
    FROM unnest(d_reservation, d_product) AS v(r, p)
    WHERE rl.reservation_id = v.r AND rl.product_id = v.p;
  END IF;
  IF cardinality(t_change) > 0 THEN
    INSERT INTO reservation_lines (reservation_id, product_id, store_id, quantity, expires_at)
    SELECT c_reservation[t.i], c_product[t.i], c_store[t.i], c_units[t.i], c_expires[t.i]
    FROM unnest(t_change) AS t(i);
  END IF;

  -- 3. Product totals, their rows locked in id order.
  IF EXISTS (SELECT 1 FROM unnest(t_net) AS t(net) WHERE t.net <> 0) THEN
    PERFORM 1 FROM products p WHERE p.id = ANY(t_product) ORDER BY p.id FOR NO KEY UPDATE;
    UPDATE products p SET total_quantity = p.total_quantity + t.net
    FROM unnest(t_product, t_net) AS t(id, net)
    WHERE p.id = t.id AND t.net <> 0;
  END IF;

  -- 4. Counter rows, store by store: a store's store_counts row, then its category rows. A new
  -- level counts in the levels of its store and of its store and category; a level whose
  -- "under its minimum" flips counts in below_min of both.
  IF cardinality(x_store) > 0 THEN
    FOR ctr IN
      SELECT DISTINCT x.store COLLATE "C" AS store, x.category COLLATE "C" AS category
      FROM unnest(x_store, x_category) AS x(store, category)
      ORDER BY 1, 2 NULLS FIRST
    LOOP
      IF locked_store IS DISTINCT FROM ctr.store THEN
        PERFORM 1 FROM store_counts sc WHERE sc.store_id = ctr.store FOR NO KEY UPDATE;
        locked_store := ctr.store;
      END IF;
      IF ctr.category IS NOT NULL THEN
        PERFORM 1 FROM store_category_counts cc
        WHERE cc.category = ctr.category AND cc.store_id = ctr.store FOR NO KEY UPDATE;
      END IF;
    END LOOP;
  END IF;

  -- 5. Levels, then the ledger and the answers.
  IF cardinality(n_product) > 0 THEN
    INSERT INTO stock_levels (product_id, store_id, quantity, reserved, min_stock, incoming)
    SELECT v.product_id, v.store_id, v.q, v.r, v.m, v.t
    FROM unnest(n_product, n_store, n_qty, n_res, n_min, n_inc) AS v(product_id, store_id, q, r, m, t)
    ORDER BY v.store_id COLLATE "C", v.product_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS created = ROW_COUNT;
    IF created < cardinality(n_product) THEN
      RAISE EXCEPTION 'stockroom_apply: a stock level was created meanwhile; retry'
        USING ERRCODE = 'serialization_failure';
    END IF;
  END IF;
  IF cardinality(u_product) > 0 THEN
    UPDATE stock_levels l SET quantity = v.q, reserved = v.r, min_stock = v.m, incoming = v.t, updated_at = now()
    FROM unnest(u_product, u_store, u_qty, u_res, u_min, u_inc) AS v(product_id, store_id, q, r, m, t)
    WHERE l.product_id = v.product_id AND l.store_id = v.store_id;
  END IF;

  -- Every ledger row is a stock.changed event, its seq the feed's (schema/events.ts). The feed's
  -- frontier needs a transaction to have its id before it takes a seq (sql/events.sql): the
  -- levels written above gave it one whenever there is a ledger row or a crossing.
  -- 6. A call that crossed a minimum numbers its ledger rows and crossings together, in change
  -- order (crossings of lapses alone first, a change's ledger row before its crossing), so
  -- each stock.low / stock.restored follows the stock.changed event that made it. Most calls
  -- cross nothing: their ledger rows number themselves.
  IF cardinality(w_k) > 0 THEN
    -- The lock the ledger INSERT takes anyway, taken before the numbers: the audit's frontier
    -- (ledgerFrontier in packages/db/src/invariants.ts) relies on it.
    LOCK TABLE movements IN ROW EXCLUSIVE MODE;
    SELECT array_agg(nextval('movements_seq_seq')) INTO taken FROM generate_series(1, cardinality(g_id) + cardinality(w_k));
    SELECT array_agg(v.j ORDER BY coalesce(w_change[v.j], 0), v.j) INTO w_order FROM generate_subscripts(w_k, 1) AS v(j);
    next_leg := 1;
    next_crossing := 1;
    FOR t IN 1 .. cardinality(taken) LOOP
      IF next_crossing <= cardinality(w_order) AND (next_leg > cardinality(g_id)
          OR coalesce(w_change[w_order[next_crossing]], 0) < g_change[next_leg]) THEN
        w_seq[w_order[next_crossing]] := taken[t];
        next_crossing := next_crossing + 1;
      ELSE
        g_seq[next_leg] := taken[t];
        next_leg := next_leg + 1;
      END IF;
    END LOOP;
  END IF;
  RETURN QUERY
  WITH ledger AS (
    INSERT INTO movements (seq, id, product_id, store_id, kind, delta, quantity_after, reserved_after, reason, reference,
                           transfer_id, reservation_id, shipment_id, actor)
    SELECT coalesce(g_seq[u.j], nextval('movements_seq_seq')), g_id[u.j], c_product[g_change[u.j]], c_store[g_change[u.j]], c_kind[g_change[u.j]],
           g_delta[u.j], g_after[u.j], g_res[u.j], c_reason[g_change[u.j]], c_reference[g_change[u.j]], c_transfer[g_change[u.j]],
           c_reservation[g_change[u.j]], c_shipment[g_change[u.j]], c_actor[g_change[u.j]]
    FROM generate_subscripts(g_id, 1) AS u(j)
    ORDER BY u.j
    RETURNING movements.seq, movements.id, movements.kind, movements.delta, movements.reason, movements.reference,
              movements.transfer_id, movements.actor, movements.created_at
  ),
  -- The products named, by index: a join left to the planner hashed the whole catalogue.
  product AS MATERIALIZED (
    SELECT pr.id, pr.sku, pr.name, pr.category, pr.price FROM products pr WHERE pr.id = ANY(c_product)
  )
  SELECT o_op[u.j], o_change[u.j], o_outcome[u.j], o_found[u.j], m.id, m.seq, m.kind, m.delta, m.reason,
         m.reference, m.transfer_id, m.actor, m.created_at, c_product[o_change[u.j]], c_store[o_change[u.j]],
         o_after[u.j], o_res[u.j], o_min[u.j], CASE WHEN o_outcome[u.j] = 'ok' THEN now() END,
         c_reservation[o_change[u.j]], p.sku, p.name, p.category, p.price, o_inc[u.j], c_shipment[o_change[u.j]]
  FROM generate_subscripts(o_op, 1) AS u(j)
  LEFT JOIN ledger m ON m.id = g_id[o_leg[u.j]]
  LEFT JOIN product p ON p.id = c_product[o_change[u.j]] AND o_outcome[u.j] = 'ok'
  ORDER BY u.j;

  IF cardinality(w_k) > 0 THEN
    INSERT INTO events (seq, type, product_id, store_id, data)
    SELECT w_seq[v.j], CASE WHEN w_low[v.j] THEN 'stock.low' ELSE 'stock.restored' END, l_product[w_k[v.j]],
           l_store[w_k[v.j]],
           jsonb_build_object(
             'productId', l_product[w_k[v.j]], 'storeId', l_store[w_k[v.j]], 'quantity', w_qty[v.j],
             'reserved', w_res[v.j], 'available', w_qty[v.j] - w_res[v.j], 'minStock', w_min[v.j],
             'movementId', g_id[w_leg[v.j]])
    FROM generate_subscripts(w_k, 1) AS v(j);
  END IF;
END $$;
