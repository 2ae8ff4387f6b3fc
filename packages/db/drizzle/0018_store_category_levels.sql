ALTER TABLE "store_category_counts" ADD COLUMN "levels" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The levels of live products per store and category, counted once here; from now on the
-- triggers of sql/counters.sql keep them (installed right after the migrations).
INSERT INTO store_category_counts (store_id, category, levels)
SELECT l.store_id, l.category, count(*)
FROM stock_levels l JOIN products p ON p.id = l.product_id AND p.deleted_at IS NULL
GROUP BY l.store_id, l.category
ORDER BY l.store_id COLLATE "C", l.category COLLATE "C"
ON CONFLICT (category, store_id) DO UPDATE SET levels = excluded.levels;
