CREATE TYPE "public"."shipment_status" AS ENUM('draft', 'in_transit', 'partially_received', 'received', 'cancelled', 'closed');--> statement-breakpoint
CREATE TABLE "shipment_lines" (
	"shipment_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"quantity" integer NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"lost" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "shipment_lines_shipment_id_product_id_pk" PRIMARY KEY("shipment_id","product_id"),
	CONSTRAINT "shipment_lines_quantity_positive" CHECK ("shipment_lines"."quantity" > 0),
	CONSTRAINT "shipment_lines_accounted" CHECK ("shipment_lines"."received" >= 0 and "shipment_lines"."rejected" >= 0 and "shipment_lines"."lost" >= 0 and "shipment_lines"."received" + "shipment_lines"."rejected" + "shipment_lines"."lost" <= "shipment_lines"."quantity")
);
--> statement-breakpoint
CREATE TABLE "shipment_receipts" (
	"shipment_id" uuid NOT NULL,
	"receipt_id" varchar(255) NOT NULL,
	"lines" jsonb NOT NULL,
	"answer" jsonb NOT NULL,
	"actor" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shipment_receipts_shipment_id_receipt_id_pk" PRIMARY KEY("shipment_id","receipt_id")
);
--> statement-breakpoint
CREATE TABLE "shipments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"source_store_id" varchar(40) NOT NULL,
	"target_store_id" varchar(40) NOT NULL,
	"status" "shipment_status" DEFAULT 'draft' NOT NULL,
	"reference" varchar(255),
	"close_reason" varchar(255),
	"actor" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"shipped_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shipments_distinct_stores" CHECK ("shipments"."source_store_id" <> "shipments"."target_store_id")
);
--> statement-breakpoint
ALTER TABLE "movements" ADD COLUMN "shipment_id" uuid;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD COLUMN "incoming" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_lines" ADD CONSTRAINT "shipment_lines_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_receipts" ADD CONSTRAINT "shipment_receipts_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "public"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipment_receipts" ADD CONSTRAINT "shipment_receipts_actor_api_keys_id_fk" FOREIGN KEY ("actor") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_source_store_id_stores_id_fk" FOREIGN KEY ("source_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_target_store_id_stores_id_fk" FOREIGN KEY ("target_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shipments" ADD CONSTRAINT "shipments_actor_api_keys_id_fk" FOREIGN KEY ("actor") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shipments_created_idx" ON "shipments" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "shipments_source_idx" ON "shipments" USING btree ("source_store_id","created_at","id");--> statement-breakpoint
CREATE INDEX "shipments_target_idx" ON "shipments" USING btree ("target_store_id","created_at","id");--> statement-breakpoint
CREATE INDEX "shipments_status_idx" ON "shipments" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "movements_shipment_idx" ON "movements" USING btree ("shipment_id") WHERE "movements"."shipment_id" is not null;--> statement-breakpoint
ALTER TABLE "stock_levels" ADD CONSTRAINT "stock_levels_incoming_nonneg" CHECK ("stock_levels"."incoming" >= 0);