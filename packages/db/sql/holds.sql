-- Reading what a level holds for reservations. A level's `reserved` column counts its open
-- reservation lines; a line whose reservation expired stays open until a write on that level
-- (stock-apply.sql) or the expiry sweeper closes it. From `expires_at` on it must hold nothing
-- for every reader too, so every read of a level counts
--   reserved - stockroom_lapsed(product, store)   (only when reserved > 0)
-- (packages/api/src/services/stock/mappers.ts builds that expression once for all queries).
--
-- This file is the current source of this function; the server installs it after the
-- migrations whenever it changed, and a test checks the database's definition against it.
CREATE OR REPLACE FUNCTION stockroom_lapsed(p_product uuid, p_store varchar) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(r.quantity), 0)::integer FROM reservation_lines r
  WHERE r.product_id = p_product AND r.store_id = p_store AND r.open AND r.expires_at <= now()
$$;
