CREATE TABLE "event_watermark" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"published" bigint DEFAULT 0 NOT NULL,
	"candidate" bigint DEFAULT 0 NOT NULL,
	"candidate_xip" varchar[] DEFAULT '{}' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_watermark_one_row" CHECK ("event_watermark"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"type" varchar(40) NOT NULL,
	"product_id" uuid,
	"store_id" varchar(40),
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_product_idx" ON "events" USING btree ("product_id","seq") WHERE "events"."product_id" is not null;--> statement-breakpoint
-- The watermark's one row (sql/events.sql moves it).
INSERT INTO "event_watermark" ("id") VALUES (1);
