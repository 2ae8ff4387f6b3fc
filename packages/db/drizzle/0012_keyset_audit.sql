-- Keyset paging and the incremental audit. The alert indexes keep the same order, written as
-- (quantity - reserved - min_stock) ascending instead of the shortfall descending, so that a
-- cursor page starts with one row comparison on the index. audit_watermark is the ledger seq
-- up to which the audit found every level equal to its ledger.
-- Two product indexes let a category's cursor pages by name or sku start in an index too.
CREATE TABLE "audit_watermark" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"verified_seq" bigint DEFAULT 0 NOT NULL,
	"verified_at" timestamp with time zone,
	"mode" varchar(16),
	CONSTRAINT "audit_watermark_one_row" CHECK ("audit_watermark"."id" = 1)
);
--> statement-breakpoint
DROP INDEX "stock_levels_below_min_idx";--> statement-breakpoint
DROP INDEX "stock_levels_category_shortfall_idx";--> statement-breakpoint
DROP INDEX "stock_levels_shortfall_idx";--> statement-breakpoint
CREATE INDEX "products_live_category_name_idx" ON "products" USING btree ("category","name","id") WHERE "products"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "products_live_category_sku_idx" ON "products" USING btree ("category","sku","id") WHERE "products"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "stock_levels_below_min_idx" ON "stock_levels" USING btree ("store_id",("quantity" - "reserved" - "min_stock"),"sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_category_shortfall_idx" ON "stock_levels" USING btree ("category",("quantity" - "reserved" - "min_stock"),"store_id","sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_shortfall_idx" ON "stock_levels" USING btree (("quantity" - "reserved" - "min_stock"),"store_id","sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";