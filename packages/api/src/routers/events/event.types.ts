import { z } from "zod";
import { ZStoreId, ZTimestamp, ZUuid } from "../../schemas/common";
import { ZMovementKind } from "../inventory/level.types";
import { ZReservation } from "../reservations/reservation.types";
import { ZShipment } from "../shipments/shipment.types";

export const STOCK_EVENT_TYPES = ["stock.changed", "stock.low", "stock.restored"] as const;
export const RESERVATION_EVENT_TYPES = [
  "reservation.created",
  "reservation.committed",
  "reservation.released",
  "reservation.expired",
] as const;
export const SHIPMENT_EVENT_TYPES = [
  "shipment.shipped",
  "shipment.received",
  "shipment.cancelled",
  "shipment.closed",
] as const;
export const EVENT_TYPES = [
  ...STOCK_EVENT_TYPES,
  ...RESERVATION_EVENT_TYPES,
  ...SHIPMENT_EVENT_TYPES,
  "webhook.test",
] as const;
export const ZEventType = z.enum(EVENT_TYPES);
export type TEventType = z.infer<typeof ZEventType>;

/** One ledger row, with its level as the row left it. */
export const ZStockChangedData = z
  .object({
    movementId: ZUuid,
    productId: ZUuid,
    storeId: ZStoreId,
    kind: ZMovementKind,
    delta: z.number().int(),
    reason: z.string().nullable(),
    quantity: z.number().int().meta({ description: "On hand after the change" }),
    reserved: z.number().int(),
    available: z.number().int().meta({ description: "quantity − reserved" }),
    reservationId: ZUuid.nullable(),
    shipmentId: ZUuid.nullable(),
    transferId: ZUuid.nullable(),
  })
  .meta({ id: "StockChangedData" });

/** A level whose available units crossed its minimum (below: stock.low; back: stock.restored). */
export const ZStockThresholdData = z
  .object({
    productId: ZUuid,
    storeId: ZStoreId,
    quantity: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    minStock: z.number().int(),
    movementId: ZUuid.nullable().meta({
      description: "The ledger row that crossed it; null when a hold, a lapse or a new minimum did",
    }),
  })
  .meta({ id: "StockThresholdData" });

export const ZWebhookTestData = z
  .object({ endpointId: ZUuid, message: z.string() })
  .meta({ id: "WebhookTestData" });

const common = {
  id: ZUuid.meta({ description: "Stable; webhooks send it as `webhook-id`" }),
  sequence: z.number().int().meta({ description: "The event's place in the feed's one total order" }),
  createdAt: ZTimestamp,
};
/** One variant per type, so the union narrows on `type` (the SDK's StockroomEventOf<T>). */
const variant = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ ...common, type: z.literal(type), data });
/** The shipment as reads answer it after the step; a receipt's event names the receipt it booked. */
const ZShipmentData = ZShipment.extend({
  receiptId: z
    .string()
    .nullable()
    .meta({ description: "shipment.received: the receipt this event reports (its lines are in receipts)" }),
}).meta({ id: "ShipmentEventData" });

export const ZEvent = z
  .discriminatedUnion("type", [
    variant("stock.changed", ZStockChangedData),
    variant("stock.low", ZStockThresholdData),
    variant("stock.restored", ZStockThresholdData),
    variant("reservation.created", ZReservation),
    variant("reservation.committed", ZReservation),
    variant("reservation.released", ZReservation),
    variant("reservation.expired", ZReservation),
    variant("shipment.shipped", ZShipmentData),
    variant("shipment.received", ZShipmentData),
    variant("shipment.cancelled", ZShipmentData),
    variant("shipment.closed", ZShipmentData),
    variant("webhook.test", ZWebhookTestData),
  ])
  .meta({
    id: "Event",
    example: {
      id: "3f2b8c1d-9e4a-4b7c-8d6e-5f4a3b2c1d0e",
      sequence: 1042,
      type: "stock.low",
      createdAt: "2026-01-05T10:15:00.000Z",
      data: {
        productId: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
        storeId: "store1",
        quantity: 4,
        reserved: 1,
        available: 3,
        minStock: 5,
        movementId: "5c0e8a2f-7b41-4f6d-8e93-1a2b3c4d5e6f",
      },
    },
  });
export type TEvent = z.infer<typeof ZEvent>;

/** A feed position: the sequence of the last event seen (0 or absent: from the oldest kept). */
export const ZEventCursor = z
  .string()
  .regex(/^[0-9]{1,18}$/, "Must be a sequence number (digits)")
  .meta({ description: "The `sequence` (or `nextCursor`) of the last event seen", example: "1041" });

const typeAlternatives = EVENT_TYPES.map((t) => t.replace(".", "\\.")).join("|");
/** A comma list of event types, as a query parameter. */
export const ZEventTypeList = z
  .string()
  .regex(
    new RegExp(`^(${typeAlternatives})(,(${typeAlternatives}))*$`),
    `Must be a comma list of: ${EVENT_TYPES.join(", ")}`,
  )
  .meta({ example: "stock.low,stock.restored" });
