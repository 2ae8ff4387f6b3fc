CREATE TABLE "events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"position" bigint,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"type" varchar(40) NOT NULL,
	"product_id" uuid,
	"store_id" varchar(40),
	"data" jsonb NOT NULL,
	"xid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_unpublished_idx" ON "events" USING btree ("seq") WHERE "events"."position" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "events_position_idx" ON "events" USING btree ("position") WHERE "events"."position" is not null;--> statement-breakpoint
CREATE INDEX "events_product_idx" ON "events" USING btree ("product_id","position") WHERE "events"."position" is not null;--> statement-breakpoint
CREATE INDEX "events_store_idx" ON "events" USING btree ("store_id","position") WHERE "events"."position" is not null;--> statement-breakpoint
CREATE INDEX "events_id_idx" ON "events" USING btree ("id") WHERE "events"."position" is not null;--> statement-breakpoint
CREATE INDEX "events_created_idx" ON "events" USING btree ("created_at") WHERE "events"."position" is not null;