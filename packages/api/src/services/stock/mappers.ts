import { movements, type OutcomeRow } from "@stockroom/db";
import type { TMovement, TStockLevel } from "../../routers/inventory/level.types";
import { isoOf } from "../named";

/**
 * The units a level holds for reservations, as every read counts them: its `reserved` less
 * the open lines whose reservation expired and that no write has closed yet (sql/holds.sql).
 */
export const HELD_SQL =
  "(l.reserved - case when l.reserved > 0 then stockroom_lapsed(l.product_id, l.store_id) else 0 end)";

/** Under its minimum: fewer units available than min_stock. */
export const BELOW_MIN_SQL = `l.quantity - ${HELD_SQL} < l.min_stock`;

/**
 * The same by the stored `reserved`: the predicate of the partial below-min indexes and of the
 * counters the triggers keep (a superset of BELOW_MIN_SQL while lapsed holds are open).
 */
export const STORED_BELOW_MIN_SQL = "l.quantity - l.reserved < l.min_stock";

/** A level joined with its product, as every level query and stockroom_apply answer it. */
export interface LevelRow {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: string;
  store_id: string;
  quantity: number;
  reserved: number;
  min_stock: number;
  incoming: number;
  updated_at: Date | string;
}

/** THE level mapper: every StockLevel the API answers is made here. */
export function toLevel(r: LevelRow): TStockLevel {
  const quantity = Number(r.quantity);
  const reserved = Number(r.reserved);
  const minStock = Number(r.min_stock);
  return {
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    category: r.category,
    price: Number(r.price),
    storeId: r.store_id,
    quantity,
    reserved,
    available: quantity - reserved,
    minStock,
    belowMin: quantity - reserved < minStock,
    incoming: Number(r.incoming),
    updatedAt: isoOf(r.updated_at),
  };
}

/** The ledger columns, selected under the names toMovement reads. */
export const MOVEMENT_COLUMNS = {
  id: movements.id,
  product_id: movements.productId,
  store_id: movements.storeId,
  kind: movements.kind,
  delta: movements.delta,
  quantity_after: movements.quantityAfter,
  reason: movements.reason,
  reference: movements.reference,
  transfer_id: movements.transferId,
  reservation_id: movements.reservationId,
  shipment_id: movements.shipmentId,
  actor: movements.actor,
  created_at: movements.createdAt,
  seq: movements.seq,
};

/** A ledger row, as the movement queries select it (MOVEMENT_COLUMNS). */
export interface MovementRow {
  id: string;
  product_id: string;
  store_id: string;
  kind: TMovement["kind"];
  delta: number;
  quantity_after: number;
  reason: string | null;
  reference: string | null;
  transfer_id: string | null;
  reservation_id: string | null;
  shipment_id: string | null;
  actor: string | null;
  created_at: Date | string;
}

/** THE movement mapper: every Movement the API answers is made here. */
export const toMovement = (m: MovementRow): TMovement => ({
  id: m.id,
  productId: m.product_id,
  storeId: m.store_id,
  kind: m.kind,
  delta: Number(m.delta),
  quantityAfter: Number(m.quantity_after),
  reason: m.reason,
  reference: m.reference,
  transferId: m.transfer_id,
  reservationId: m.reservation_id,
  shipmentId: m.shipment_id,
  actor: m.actor,
  createdAt: isoOf(m.created_at),
});

/** The ledger row an applied change wrote (stockroom_apply answers the level after it). */
export function movementOf(r: OutcomeRow): TMovement | null {
  if (r.movement_id === null) return null;
  return toMovement({
    id: r.movement_id,
    product_id: r.product_id,
    store_id: r.store_id,
    kind: r.kind!,
    delta: r.delta!,
    quantity_after: r.quantity,
    reason: r.reason,
    reference: r.reference,
    transfer_id: r.transfer_id,
    reservation_id: r.reservation_id,
    shipment_id: r.shipment_id,
    actor: r.actor,
    created_at: r.created_at!,
  });
}
