-- A stock.changed event is its ledger row: movements and events draw `seq` from one sequence
-- (movements_seq_seq) and the feed reads both (EVENT_FEED_SQL, packages/db/src/events.ts), so
-- a stock change writes no event row of its own.
ALTER TABLE "movements" ADD COLUMN "reserved_after" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "event_watermark" ADD COLUMN "ledger_from" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "event_watermark" ADD COLUMN "kept_from" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The stock.changed rows written so far keep their seq (consumers' cursors stay valid) and get
-- their data written out, as the feed answered it.
UPDATE "events" e SET "data" = jsonb_build_object(
    'movementId', m.id, 'productId', m.product_id, 'storeId', m.store_id, 'kind', m.kind, 'delta', m.delta,
    'reason', m.reason, 'quantity', m.quantity_after, 'reserved', e.reserved,
    'available', m.quantity_after - e.reserved, 'reservationId', m.reservation_id,
    'shipmentId', m.shipment_id, 'transferId', m.transfer_id)
  FROM "movements" m
  WHERE m.id = e.movement_id AND e.data IS NULL;--> statement-breakpoint
-- The ledger rows written so far are not events (those above report them, or they predate the
-- outbox); the shared sequence continues above both.
UPDATE "event_watermark" SET "ledger_from" = (SELECT last_value FROM "movements_seq_seq");--> statement-breakpoint
SELECT setval('movements_seq_seq', greatest((SELECT last_value FROM "movements_seq_seq"), (SELECT last_value FROM "events_seq_seq")), true);--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "seq" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "seq" SET DEFAULT nextval('movements_seq_seq');--> statement-breakpoint
DROP SEQUENCE "events_seq_seq";--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "data" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "movement_id";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "reserved";
