DROP INDEX "stock_levels_below_min_idx";--> statement-breakpoint
ALTER TABLE "stock_levels" ADD COLUMN "category" varchar(100) DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "stock_levels_store_category_idx" ON "stock_levels" USING btree ("store_id","category","sku","product_id");--> statement-breakpoint
CREATE INDEX "stock_levels_below_min_category_idx" ON "stock_levels" USING btree ("category","store_id") WHERE "stock_levels"."quantity" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_below_min_idx" ON "stock_levels" USING btree ("store_id",("min_stock" - "quantity") desc,"sku","product_id") WHERE "stock_levels"."quantity" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_level_sku() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT p.sku, p.category INTO NEW.sku, NEW.category FROM products p WHERE p.id = NEW.product_id;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_live boolean := OLD.deleted_at IS NULL;
  is_live boolean := NEW.deleted_at IS NULL;
BEGIN
  IF NEW.sku IS DISTINCT FROM OLD.sku OR NEW.category IS DISTINCT FROM OLD.category THEN
    UPDATE stock_levels SET sku = NEW.sku, category = NEW.category WHERE product_id = NEW.id;
  END IF;
  IF was_live AND (NOT is_live OR NEW.category IS DISTINCT FROM OLD.category) THEN
    UPDATE category_counts SET products = products - 1 WHERE category = OLD.category;
  END IF;
  IF is_live AND (NOT was_live OR NEW.category IS DISTINCT FROM OLD.category) THEN
    INSERT INTO category_counts (category, products) VALUES (NEW.category, 1)
    ON CONFLICT (category) DO UPDATE SET products = category_counts.products + 1;
  END IF;
  IF was_live <> is_live THEN
    UPDATE store_counts s SET levels = s.levels + d.sign * d.levels, below_min = s.below_min + d.sign * d.below_min
    FROM (SELECT l.store_id, CASE WHEN is_live THEN 1 ELSE -1 END AS sign, count(*) AS levels,
                 count(*) FILTER (WHERE l.quantity < l.min_stock) AS below_min
          FROM stock_levels l WHERE l.product_id = NEW.id GROUP BY l.store_id) d
    WHERE s.store_id = d.store_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
UPDATE stock_levels l SET category = p.category FROM products p WHERE p.id = l.product_id;
--> statement-breakpoint
-- Transfers update the same hot levels all day: vacuum them often, so index scans over a
-- store's levels do not wade through dead row versions.
ALTER TABLE stock_levels SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05);
