-- The triggers that keep the copies and counters exact in the same transaction as every
-- write, whoever writes: stock_levels.sku and .category (copies of the product's), and the
-- counts list pages answer as `total` without counting (category_counts, store_counts,
-- store_category_counts). Bulk inserts and deletes use statement triggers (one upsert per
-- store or category); updates fire per row, and only when they change what is counted.
--
-- This file is the current source of these functions and triggers; the migrations that first
-- created them (0002, 0003, 0005) are history. The server installs this file after the
-- migrations whenever it changed, and a test checks the database's definitions against it.
--
-- "Under its minimum" means the available units (quantity - reserved) are fewer than min_stock.
--
-- Lock order: stockroom_apply (stock-apply.sql) locks the counter rows a stock change will
-- touch, store by store, before these triggers run, so the triggers never take a counter
-- lock out of order.
CREATE OR REPLACE FUNCTION stockroom_level_sku() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT p.sku, p.category INTO NEW.sku, NEW.category FROM products p WHERE p.id = NEW.product_id;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER stock_levels_sku BEFORE INSERT ON stock_levels
  FOR EACH ROW EXECUTE FUNCTION stockroom_level_sku();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_levels_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_counts (store_id, levels, below_min)
  SELECT n.store_id, count(*), count(*) FILTER (WHERE n.quantity - n.reserved < n.min_stock)
  FROM inserted n JOIN products p ON p.id = n.product_id AND p.deleted_at IS NULL
  GROUP BY n.store_id ORDER BY n.store_id COLLATE "C"
  ON CONFLICT (store_id) DO UPDATE SET levels = store_counts.levels + excluded.levels,
    below_min = store_counts.below_min + excluded.below_min;
  INSERT INTO store_category_counts (store_id, category, levels, below_min)
  SELECT n.store_id, n.category, count(*), count(*) FILTER (WHERE n.quantity - n.reserved < n.min_stock)
  FROM inserted n JOIN products p ON p.id = n.product_id AND p.deleted_at IS NULL
  GROUP BY n.store_id, n.category ORDER BY n.store_id COLLATE "C", n.category COLLATE "C"
  ON CONFLICT (category, store_id) DO UPDATE SET levels = store_category_counts.levels + excluded.levels,
    below_min = store_category_counts.below_min + excluded.below_min;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER stock_levels_counts_insert AFTER INSERT ON stock_levels
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION stockroom_levels_inserted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_levels_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_counts s SET levels = s.levels - d.levels, below_min = s.below_min - d.below_min
  FROM (SELECT o.store_id, count(*) AS levels, count(*) FILTER (WHERE o.quantity - o.reserved < o.min_stock) AS below_min
        FROM removed o JOIN products p ON p.id = o.product_id AND p.deleted_at IS NULL
        GROUP BY o.store_id) d
  WHERE s.store_id = d.store_id;
  UPDATE store_category_counts c SET levels = c.levels - d.levels, below_min = c.below_min - d.below_min
  FROM (SELECT o.store_id, o.category, count(*) AS levels,
               count(*) FILTER (WHERE o.quantity - o.reserved < o.min_stock) AS below_min
        FROM removed o JOIN products p ON p.id = o.product_id AND p.deleted_at IS NULL
        GROUP BY o.store_id, o.category) d
  WHERE c.store_id = d.store_id AND c.category = d.category;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER stock_levels_counts_delete AFTER DELETE ON stock_levels
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stockroom_levels_deleted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_level_below_min() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  step integer := CASE WHEN NEW.quantity - NEW.reserved < NEW.min_stock THEN 1 ELSE -1 END;
BEGIN
  IF EXISTS (SELECT 1 FROM products p WHERE p.id = NEW.product_id AND p.deleted_at IS NULL) THEN
    UPDATE store_counts SET below_min = below_min + step WHERE store_id = NEW.store_id;
    INSERT INTO store_category_counts (store_id, category, below_min) VALUES (NEW.store_id, NEW.category, step)
    ON CONFLICT (category, store_id) DO UPDATE SET below_min = store_category_counts.below_min + step;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER stock_levels_counts_below_min AFTER UPDATE OF quantity, reserved, min_stock ON stock_levels
  FOR EACH ROW WHEN ((OLD.quantity - OLD.reserved < OLD.min_stock) IS DISTINCT FROM (NEW.quantity - NEW.reserved < NEW.min_stock))
  EXECUTE FUNCTION stockroom_level_below_min();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_products_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO category_counts (category, products)
  SELECT n.category, count(*) FROM inserted n WHERE n.deleted_at IS NULL GROUP BY n.category ORDER BY n.category
  ON CONFLICT (category) DO UPDATE SET products = category_counts.products + excluded.products;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER products_counts_insert AFTER INSERT ON products
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION stockroom_products_inserted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_products_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE category_counts c SET products = c.products - d.n
  FROM (SELECT o.category, count(*) AS n FROM removed o WHERE o.deleted_at IS NULL GROUP BY o.category) d
  WHERE c.category = d.category;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER products_counts_delete AFTER DELETE ON products
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stockroom_products_deleted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_live boolean := OLD.deleted_at IS NULL;
  is_live boolean := NEW.deleted_at IS NULL;
  moved boolean := NEW.category IS DISTINCT FROM OLD.category;
BEGIN
  IF NEW.sku IS DISTINCT FROM OLD.sku OR moved THEN
    UPDATE stock_levels SET sku = NEW.sku, category = NEW.category WHERE product_id = NEW.id;
  END IF;
  IF was_live AND (NOT is_live OR moved) THEN
    UPDATE category_counts SET products = products - 1 WHERE category = OLD.category;
  END IF;
  IF is_live AND (NOT was_live OR moved) THEN
    INSERT INTO category_counts (category, products) VALUES (NEW.category, 1)
    ON CONFLICT (category) DO UPDATE SET products = category_counts.products + 1;
  END IF;
  IF was_live <> is_live THEN
    UPDATE store_counts s SET levels = s.levels + d.sign * d.levels, below_min = s.below_min + d.sign * d.below_min
    FROM (SELECT l.store_id, CASE WHEN is_live THEN 1 ELSE -1 END AS sign, count(*) AS levels,
                 count(*) FILTER (WHERE l.quantity - l.reserved < l.min_stock) AS below_min
          FROM stock_levels l WHERE l.product_id = NEW.id GROUP BY l.store_id) d
    WHERE s.store_id = d.store_id;
  END IF;
  -- The product's levels (and those of them under their minimum) leave OLD.category (if they
  -- were counted) and join NEW.category (if they count now).
  IF was_live AND (NOT is_live OR moved) THEN
    UPDATE store_category_counts c SET levels = c.levels - d.levels, below_min = c.below_min - d.below_min
    FROM (SELECT l.store_id, count(*) AS levels,
                 count(*) FILTER (WHERE l.quantity - l.reserved < l.min_stock) AS below_min
          FROM stock_levels l WHERE l.product_id = NEW.id GROUP BY l.store_id) d
    WHERE c.category = OLD.category AND c.store_id = d.store_id;
  END IF;
  IF is_live AND (NOT was_live OR moved) THEN
    INSERT INTO store_category_counts (store_id, category, levels, below_min)
    SELECT l.store_id, NEW.category, count(*), count(*) FILTER (WHERE l.quantity - l.reserved < l.min_stock)
    FROM stock_levels l WHERE l.product_id = NEW.id
    GROUP BY l.store_id ORDER BY l.store_id COLLATE "C"
    ON CONFLICT (category, store_id) DO UPDATE SET levels = store_category_counts.levels + excluded.levels,
      below_min = store_category_counts.below_min + excluded.below_min;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER products_counts_update AFTER UPDATE OF sku, category, deleted_at ON products
  FOR EACH ROW WHEN (OLD.sku IS DISTINCT FROM NEW.sku OR OLD.category IS DISTINCT FROM NEW.category
    OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
  EXECUTE FUNCTION stockroom_product_changed();
--> statement-breakpoint
-- Whenever this file is installed, the levels per store and category are counted again. It is
-- installed right after the migrations, in a transaction of its own, while other servers may
-- still be writing: a level created or deleted between the two was seen by the triggers
-- installed before, which (until migration 0018) did not count levels per store and category.
-- The CREATE TRIGGER statements above hold off every writer of stock levels until this
-- transaction commits, so the counts are exact when the new triggers take over.
UPDATE store_category_counts c SET levels = 0
WHERE c.levels <> 0 AND NOT EXISTS (
  SELECT 1 FROM stock_levels l JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL
  WHERE l.store_id = c.store_id AND l.category = c.category);
--> statement-breakpoint
INSERT INTO store_category_counts (store_id, category, levels)
SELECT l.store_id, l.category, count(*)
FROM stock_levels l JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL
GROUP BY l.store_id, l.category
ORDER BY l.store_id COLLATE "C", l.category COLLATE "C"
ON CONFLICT (category, store_id) DO UPDATE SET levels = excluded.levels
WHERE store_category_counts.levels <> excluded.levels;
