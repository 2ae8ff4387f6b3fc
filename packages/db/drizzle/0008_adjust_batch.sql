-- Key-less adjustments (sales, receipts) that arrive while earlier ones are still running are
-- applied together, in one statement, as transfers are (stockroom_transfer_batch, 0006).
-- Adjustment i adds a_delta[i] units (negative: removes them) to the level of a_product[i]
-- in a_store[i], refusing unless the level holds exactly a_expected[i] when that is not NULL.
-- The function locks the batch's levels (stockroom_lock_levels, 0006), judges the
-- adjustments one by one, in batch order, against the running quantities, updates the
-- products' totals (their rows locked in id order, FOR NO KEY UPDATE, which is what an
-- UPDATE of the total takes and does not block other writers' foreign-key checks), locks
-- the counters about to change (stockroom_lock_counters), applies each level's net change
-- in one UPDATE, then writes all the ledger rows in one INSERT, in batch order.
-- Levels, then products, then counters: the order a single adjustment statement takes them
-- in (its product total is written during the statement, its triggers fire at the end).
-- It never raises for one adjustment: one that cannot run answers a row of its own, outcome
-- 'stale' or 'insufficient' (with the quantity it saw) or 'missing' (product, store or level
-- not there: the caller sorts that out on its own), and changes nothing. Applied adjustments
-- answer their ledger row (outcome 'ok') joined with the level after it and the product.
CREATE FUNCTION stockroom_adjust_batch(
  a_product uuid[], a_store varchar[], a_delta integer[], a_expected integer[],
  a_reason varchar[], a_reference varchar[], a_actor uuid[]
) RETURNS TABLE (
  n integer, outcome text, available integer,
  seq bigint, id uuid, kind movement_kind, delta integer, quantity_after integer,
  reason varchar, reference varchar, transfer_id uuid, actor uuid, created_at timestamptz,
  store_id varchar, quantity integer, min_stock integer, updated_at timestamptz,
  product_id uuid, sku varchar, name varchar, category varchar, price numeric
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  keys text[];
  qty integer[];
  mins integer[];
  cats varchar[];
  before integer[];
  live_products uuid[];
  live_stores varchar[];
  leg_n integer[] := '{}';
  leg_id uuid[] := '{}';
  leg_level integer[] := '{}';
  leg_delta integer[] := '{}';
  leg_after integer[] := '{}';
  k integer;
BEGIN
  SELECT * INTO keys, qty, mins, cats FROM stockroom_lock_levels(a_product, a_store);
  before := qty;
  SELECT array_agg(p.id) INTO live_products FROM products p WHERE p.id = ANY(a_product) AND p.deleted_at IS NULL;
  SELECT array_agg(st.id) INTO live_stores FROM stores st WHERE st.id = ANY(a_store) AND st.deleted_at IS NULL;
  FOR i IN 1 .. coalesce(array_length(a_product, 1), 0) LOOP
    k := array_position(keys, a_product[i]::text || ' ' || a_store[i]);
    IF k IS NULL OR NOT coalesce(a_product[i] = ANY(live_products), false)
       OR NOT coalesce(a_store[i] = ANY(live_stores), false) THEN
      n := i; outcome := 'missing'; available := NULL;
      RETURN NEXT;
    ELSIF a_expected[i] IS NOT NULL AND qty[k] <> a_expected[i] THEN
      n := i; outcome := 'stale'; available := qty[k];
      RETURN NEXT;
    ELSIF qty[k] + a_delta[i] < 0 THEN
      n := i; outcome := 'insufficient'; available := qty[k];
      RETURN NEXT;
    ELSE
      qty[k] := qty[k] + a_delta[i];
      leg_n := leg_n || i;
      leg_id := leg_id || gen_random_uuid();
      leg_level := leg_level || k;
      leg_delta := leg_delta || a_delta[i];
      leg_after := leg_after || qty[k];
    END IF;
  END LOOP;
  IF cardinality(leg_n) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM products p
  WHERE p.id IN (SELECT a_product[u.ln] FROM unnest(leg_n) AS u(ln))
  ORDER BY p.id
  FOR NO KEY UPDATE;
  UPDATE products p SET total_quantity = p.total_quantity + d.net
  FROM (
    SELECT a_product[u.ln] AS product_id, sum(u.dl)::integer AS net
    FROM unnest(leg_n, leg_delta) AS u(ln, dl)
    GROUP BY 1
  ) d
  WHERE p.id = d.product_id AND d.net <> 0;
  PERFORM stockroom_lock_counters(keys, cats, mins, before, qty);
  PERFORM stockroom_apply_net(keys, leg_level, leg_delta);
  RETURN QUERY
  WITH ledger AS (
    INSERT INTO movements (id, product_id, store_id, kind, delta, quantity_after, reason, reference, actor)
    SELECT u.li, a_product[u.ln], a_store[u.ln], 'adjustment'::movement_kind, u.ld, u.la, a_reason[u.ln],
           a_reference[u.ln], a_actor[u.ln]
    FROM unnest(leg_n, leg_id, leg_delta, leg_after) WITH ORDINALITY AS u(ln, li, ld, la, o)
    ORDER BY u.o
    RETURNING movements.seq, movements.id, movements.product_id, movements.store_id, movements.kind, movements.delta,
              movements.quantity_after, movements.reason, movements.reference, movements.transfer_id, movements.actor,
              movements.created_at
  )
  SELECT leg_n[array_position(leg_id, m.id)], 'ok'::text, NULL::integer,
         m.seq, m.id, m.kind, m.delta, m.quantity_after, m.reason, m.reference, m.transfer_id, m.actor, m.created_at,
         m.store_id, m.quantity_after, mins[array_position(keys, m.product_id::text || ' ' || m.store_id)], now(),
         p.id, p.sku, p.name, p.category, p.price
  FROM ledger m JOIN products p ON p.id = m.product_id
  ORDER BY m.seq;
END $$;
