CREATE TABLE "category_counts" (
	"category" varchar(100) PRIMARY KEY NOT NULL,
	"products" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "store_counts" (
	"store_id" varchar(40) PRIMARY KEY NOT NULL,
	"levels" integer DEFAULT 0 NOT NULL,
	"below_min" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "stock_levels_store_idx";--> statement-breakpoint
ALTER TABLE "stock_levels" ADD COLUMN "sku" varchar(64) DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "products_live_category_price_idx" ON "products" USING btree ("category","price","id") WHERE "products"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "stock_levels_store_sku_idx" ON "stock_levels" USING btree ("store_id","sku","product_id");--> statement-breakpoint
CREATE INDEX "stock_levels_shortfall_idx" ON "stock_levels" USING btree (("min_stock" - "quantity") desc,"store_id","sku","product_id") WHERE "stock_levels"."quantity" < "stock_levels"."min_stock";