CREATE TYPE "public"."reservation_status" AS ENUM('active', 'committed', 'released', 'expired');--> statement-breakpoint
CREATE TABLE "reservation_lines" (
	"reservation_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"store_id" varchar(40) NOT NULL,
	"quantity" integer NOT NULL,
	"committed" integer,
	"open" boolean DEFAULT true NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reservation_lines_reservation_id_product_id_pk" PRIMARY KEY("reservation_id","product_id"),
	CONSTRAINT "reservation_lines_quantity_positive" CHECK ("reservation_lines"."quantity" > 0)
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"store_id" varchar(40) NOT NULL,
	"status" "reservation_status" DEFAULT 'active' NOT NULL,
	"reference" varchar(255),
	"expires_at" timestamp with time zone NOT NULL,
	"actor" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "stock_levels_below_min_idx";--> statement-breakpoint
DROP INDEX "stock_levels_below_min_category_idx";--> statement-breakpoint
DROP INDEX "stock_levels_category_shortfall_idx";--> statement-breakpoint
DROP INDEX "stock_levels_shortfall_idx";--> statement-breakpoint
ALTER TABLE "movements" ADD COLUMN "reservation_id" uuid;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD COLUMN "reserved" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reservation_lines" ADD CONSTRAINT "reservation_lines_reservation_id_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."reservations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservation_lines" ADD CONSTRAINT "reservation_lines_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reservations" ADD CONSTRAINT "reservations_actor_api_keys_id_fk" FOREIGN KEY ("actor") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reservation_lines_level_idx" ON "reservation_lines" USING btree ("product_id","store_id","expires_at") WHERE "reservation_lines"."open";--> statement-breakpoint
CREATE INDEX "reservation_lines_due_idx" ON "reservation_lines" USING btree ("expires_at") WHERE "reservation_lines"."open";--> statement-breakpoint
CREATE INDEX "reservations_store_idx" ON "reservations" USING btree ("store_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reservations_created_idx" ON "reservations" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "reservations_reference_idx" ON "reservations" USING btree ("reference") WHERE "reservations"."reference" is not null;--> statement-breakpoint
CREATE INDEX "reservations_due_idx" ON "reservations" USING btree ("expires_at") WHERE "reservations"."status" = 'active';--> statement-breakpoint
CREATE INDEX "movements_reservation_idx" ON "movements" USING btree ("reservation_id") WHERE "movements"."reservation_id" is not null;--> statement-breakpoint
CREATE INDEX "stock_levels_below_min_idx" ON "stock_levels" USING btree ("store_id",("min_stock" - ("quantity" - "reserved")) desc,"sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_below_min_category_idx" ON "stock_levels" USING btree ("category","store_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_category_shortfall_idx" ON "stock_levels" USING btree ("category",("min_stock" - ("quantity" - "reserved")) desc,"store_id","sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
CREATE INDEX "stock_levels_shortfall_idx" ON "stock_levels" USING btree (("min_stock" - ("quantity" - "reserved")) desc,"store_id","sku","product_id") WHERE "stock_levels"."quantity" - "stock_levels"."reserved" < "stock_levels"."min_stock";--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_reserved_range" CHECK ("stock_levels"."reserved" >= 0 and "stock_levels"."reserved" <= "stock_levels"."quantity");