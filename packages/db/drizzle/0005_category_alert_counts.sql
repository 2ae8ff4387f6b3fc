CREATE TABLE "store_category_counts" (
	"category" varchar(100) NOT NULL,
	"store_id" varchar(40) NOT NULL,
	"below_min" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "store_category_counts_category_store_id_pk" PRIMARY KEY("category","store_id")
);
--> statement-breakpoint
CREATE INDEX "stock_levels_category_shortfall_idx" ON "stock_levels" USING btree ("category",("min_stock" - "quantity") desc,"store_id","sku","product_id") WHERE "stock_levels"."quantity" < "stock_levels"."min_stock";--> statement-breakpoint
-- store_category_counts.below_min: levels of live products under their minimum, per category
-- and store, kept exact by the same triggers as store_counts.below_min, so that the alerts
-- of a category answer their total without counting. Keyed by store too: the triggers then
-- lock counter rows store by store, in the order they lock the levels, so two transfers
-- cannot deadlock on them. Each function below is the previous one plus that table.
CREATE OR REPLACE FUNCTION stockroom_levels_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO store_counts (store_id, levels, below_min)
  SELECT n.store_id, count(*), count(*) FILTER (WHERE n.quantity < n.min_stock)
  FROM inserted n JOIN products p ON p.id = n.product_id AND p.deleted_at IS NULL
  GROUP BY n.store_id ORDER BY n.store_id
  ON CONFLICT (store_id) DO UPDATE SET levels = store_counts.levels + excluded.levels,
    below_min = store_counts.below_min + excluded.below_min;
  INSERT INTO store_category_counts (store_id, category, below_min)
  SELECT n.store_id, n.category, count(*)
  FROM inserted n JOIN products p ON p.id = n.product_id AND p.deleted_at IS NULL
  WHERE n.quantity < n.min_stock
  GROUP BY n.store_id, n.category ORDER BY n.store_id, n.category
  ON CONFLICT (category, store_id) DO UPDATE SET below_min = store_category_counts.below_min + excluded.below_min;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_levels_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE store_counts s SET levels = s.levels - d.levels, below_min = s.below_min - d.below_min
  FROM (SELECT o.store_id, count(*) AS levels, count(*) FILTER (WHERE o.quantity < o.min_stock) AS below_min
        FROM removed o JOIN products p ON p.id = o.product_id AND p.deleted_at IS NULL
        GROUP BY o.store_id) d
  WHERE s.store_id = d.store_id;
  UPDATE store_category_counts c SET below_min = c.below_min - d.below_min
  FROM (SELECT o.store_id, o.category, count(*) AS below_min
        FROM removed o JOIN products p ON p.id = o.product_id AND p.deleted_at IS NULL
        WHERE o.quantity < o.min_stock
        GROUP BY o.store_id, o.category) d
  WHERE c.store_id = d.store_id AND c.category = d.category;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stockroom_level_below_min() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  step integer := CASE WHEN NEW.quantity < NEW.min_stock THEN 1 ELSE -1 END;
BEGIN
  IF EXISTS (SELECT 1 FROM products p WHERE p.id = NEW.product_id AND p.deleted_at IS NULL) THEN
    UPDATE store_counts SET below_min = below_min + step WHERE store_id = NEW.store_id;
    INSERT INTO store_category_counts (store_id, category, below_min) VALUES (NEW.store_id, NEW.category, step)
    ON CONFLICT (category, store_id) DO UPDATE SET below_min = store_category_counts.below_min + step;
  END IF;
  RETURN NULL;
END $$;
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
                 count(*) FILTER (WHERE l.quantity < l.min_stock) AS below_min
          FROM stock_levels l WHERE l.product_id = NEW.id GROUP BY l.store_id) d
    WHERE s.store_id = d.store_id;
  END IF;
  -- The product's levels under their minimum leave OLD.category (if they were counted) and
  -- join NEW.category (if they count now).
  IF was_live AND (NOT is_live OR moved) THEN
    UPDATE store_category_counts c SET below_min = c.below_min - d.n
    FROM (SELECT l.store_id, count(*) AS n FROM stock_levels l
          WHERE l.product_id = NEW.id AND l.quantity < l.min_stock GROUP BY l.store_id) d
    WHERE c.category = OLD.category AND c.store_id = d.store_id;
  END IF;
  IF is_live AND (NOT was_live OR moved) THEN
    INSERT INTO store_category_counts (store_id, category, below_min)
    SELECT l.store_id, NEW.category, count(*) FROM stock_levels l
    WHERE l.product_id = NEW.id AND l.quantity < l.min_stock
    GROUP BY l.store_id ORDER BY l.store_id
    ON CONFLICT (category, store_id) DO UPDATE SET below_min = store_category_counts.below_min + excluded.below_min;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
INSERT INTO store_category_counts (store_id, category, below_min)
SELECT l.store_id, l.category, count(*)
FROM stock_levels l JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL
WHERE l.quantity < l.min_stock
GROUP BY l.store_id, l.category;
