-- Grouped writes: key-less transfers (and, from 0008, adjustments) that arrive while earlier
-- ones are still running are applied together, in one statement. First the three steps
-- every batch function shares.
--
-- Locks the levels (product i, store i), in ONE global order: store id in the "C"
-- collation, then product id. Every other writer locks levels in that order too (one
-- product's levels by store id), so batches cannot deadlock on levels. Answers the levels
-- found, in that order: keys ('<product> <store>'), quantities (the latest committed ones),
-- minimums and categories. Store ids never contain a space (the API refuses them).
CREATE FUNCTION stockroom_lock_levels(l_product uuid[], l_store varchar[],
  OUT keys text[], OUT qty integer[], OUT mins integer[], OUT cats varchar[]) LANGUAGE plpgsql AS $$
BEGIN
  SELECT array_agg(x.key ORDER BY x.o), array_agg(x.quantity ORDER BY x.o), array_agg(x.min_stock ORDER BY x.o),
         array_agg(x.category ORDER BY x.o)
  INTO keys, qty, mins, cats
  FROM (
    SELECT l.product_id::text || ' ' || l.store_id AS key, l.quantity, l.min_stock, l.category,
           row_number() OVER (ORDER BY l.store_id COLLATE "C", l.product_id) AS o
    FROM (
      SELECT s.product_id, s.store_id, s.quantity, s.min_stock, s.category FROM stock_levels s
      WHERE (s.product_id, s.store_id) IN (SELECT * FROM unnest(l_product, l_store))
      ORDER BY s.store_id COLLATE "C", s.product_id
      FOR UPDATE
    ) l
  ) x;
END $$;
--> statement-breakpoint
-- Locks the counter rows the level triggers are about to change (levels crossing their
-- minimum between `before` and `after`), store by store in the same order, each store's
-- store_counts row before its store_category_counts rows: the order a single statement's
-- triggers take them in. An UPDATE visits rows in the order its plan chooses, so that order
-- cannot be left to the UPDATE that fires the triggers.
CREATE FUNCTION stockroom_lock_counters(keys text[], cats varchar[], mins integer[], before integer[], after integer[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  locked_store varchar;
  c record;
BEGIN
  FOR c IN
    SELECT DISTINCT split_part(keys[g.i], ' ', 2) COLLATE "C" AS store, cats[g.i] COLLATE "C" AS category
    FROM generate_subscripts(keys, 1) AS g(i)
    WHERE (before[g.i] < mins[g.i]) IS DISTINCT FROM (after[g.i] < mins[g.i])
    ORDER BY store, category
  LOOP
    IF locked_store IS DISTINCT FROM c.store THEN
      PERFORM 1 FROM store_counts sc WHERE sc.store_id = c.store FOR NO KEY UPDATE;
      locked_store := c.store;
    END IF;
    PERFORM 1 FROM store_category_counts cc WHERE cc.category = c.category AND cc.store_id = c.store FOR NO KEY UPDATE;
  END LOOP;
END $$;
--> statement-breakpoint
-- Adds to each level keys[lv[j]] the sum of its deltas dl[j], in one UPDATE.
CREATE FUNCTION stockroom_apply_net(keys text[], lv integer[], dl integer[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE stock_levels l SET quantity = l.quantity + d.net, updated_at = now()
  FROM (
    SELECT split_part(keys[u.lv], ' ', 1)::uuid AS product_id, split_part(keys[u.lv], ' ', 2) AS store_id,
           sum(u.dl)::integer AS net
    FROM unnest(lv, dl) AS u(lv, dl)
    GROUP BY u.lv
  ) d
  WHERE l.product_id = d.product_id AND l.store_id = d.store_id;
END $$;
--> statement-breakpoint
-- Transfer i moves t_quantity[i] units of t_product[i] from t_source[i] to t_target[i]. The
-- function locks the batch's levels (stockroom_lock_levels), judges the transfers one by
-- one, in batch order, against the running quantities (each sees the ones before it, as if
-- they had run one after another), locks the counters about to change
-- (stockroom_lock_counters), applies each level's net change in one UPDATE and writes all
-- the ledger rows (two per applied transfer, in batch order, quantity_after the running
-- quantity) in one INSERT.
-- It never raises for one transfer: a transfer that cannot run answers a row of its own,
-- outcome 'insufficient' (with the quantity it saw) or 'missing' (product, store or level
-- not there: the caller sorts that out on its own), and changes nothing; the others apply.
-- Applied transfers answer their two ledger rows (outcome 'ok') joined with the level
-- after that leg and the product.
CREATE FUNCTION stockroom_transfer_batch(
  t_product uuid[], t_source varchar[], t_target varchar[], t_quantity integer[],
  t_transfer uuid[], t_reference varchar[], t_actor uuid[]
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
  leg_level integer[] := '{}';
  leg_kind movement_kind[] := '{}';
  leg_delta integer[] := '{}';
  leg_after integer[] := '{}';
  s integer;
  t integer;
  q integer;
BEGIN
  SELECT * INTO keys, qty, mins, cats FROM stockroom_lock_levels(t_product || t_product, t_source || t_target);
  before := qty;
  SELECT array_agg(p.id) INTO live_products FROM products p WHERE p.id = ANY(t_product) AND p.deleted_at IS NULL;
  SELECT array_agg(st.id) INTO live_stores FROM stores st WHERE st.id = ANY(t_source || t_target) AND st.deleted_at IS NULL;
  FOR i IN 1 .. coalesce(array_length(t_product, 1), 0) LOOP
    s := array_position(keys, t_product[i]::text || ' ' || t_source[i]);
    t := array_position(keys, t_product[i]::text || ' ' || t_target[i]);
    q := t_quantity[i];
    IF s IS NULL OR t IS NULL OR NOT coalesce(t_product[i] = ANY(live_products), false)
       OR NOT coalesce(t_source[i] = ANY(live_stores), false) OR NOT coalesce(t_target[i] = ANY(live_stores), false) THEN
      n := i; outcome := 'missing'; available := NULL;
      RETURN NEXT;
    ELSIF qty[s] < q THEN
      n := i; outcome := 'insufficient'; available := qty[s];
      RETURN NEXT;
    ELSE
      qty[s] := qty[s] - q;
      qty[t] := qty[t] + q;
      leg_n := leg_n || i || i;
      leg_level := leg_level || s || t;
      leg_kind := leg_kind || 'transfer_out'::movement_kind || 'transfer_in'::movement_kind;
      leg_delta := leg_delta || -q || q;
      leg_after := leg_after || qty[s] || qty[t];
    END IF;
  END LOOP;
  IF cardinality(leg_n) = 0 THEN
    RETURN;
  END IF;
  PERFORM stockroom_lock_counters(keys, cats, mins, before, qty);
  PERFORM stockroom_apply_net(keys, leg_level, leg_delta);
  RETURN QUERY
  WITH ledger AS (
    INSERT INTO movements (product_id, store_id, kind, delta, quantity_after, reference, transfer_id, actor)
    SELECT t_product[u.ln], split_part(keys[u.lv], ' ', 2), u.lk, u.ld, u.la, t_reference[u.ln], t_transfer[u.ln], t_actor[u.ln]
    FROM unnest(leg_n, leg_level, leg_kind, leg_delta, leg_after) WITH ORDINALITY AS u(ln, lv, lk, ld, la, o)
    ORDER BY u.o
    RETURNING movements.seq, movements.id, movements.product_id, movements.store_id, movements.kind, movements.delta,
              movements.quantity_after, movements.reference, movements.transfer_id, movements.actor, movements.created_at
  )
  SELECT array_position(t_transfer, m.transfer_id), 'ok'::text, NULL::integer,
         m.seq, m.id, m.kind, m.delta, m.quantity_after, NULL::varchar, m.reference, m.transfer_id, m.actor, m.created_at,
         m.store_id, m.quantity_after, mins[array_position(keys, m.product_id::text || ' ' || m.store_id)], now(),
         p.id, p.sku, p.name, p.category, p.price
  FROM ledger m JOIN products p ON p.id = m.product_id
  ORDER BY m.seq;
END $$;
