import { movements, type OutcomeRow } from "@stockroom/db";
import type { TMovement, TStockLevel } from "../../routers/inventory/level.types";
import { isoOf } from "../named";

/** A level joined with its product, as every level query and stockroom_apply answer it. */
export interface LevelRow {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: string;
  store_id: string;
  quantity: number;
  min_stock: number;
  updated_at: Date | string;
}

/** THE level mapper: every StockLevel the API answers is made here. */
export const toLevel = (r: LevelRow): TStockLevel => ({
  productId: r.product_id,
  sku: r.sku,
  name: r.name,
  category: r.category,
  price: Number(r.price),
  storeId: r.store_id,
  quantity: Number(r.quantity),
  minStock: Number(r.min_stock),
  belowMin: Number(r.quantity) < Number(r.min_stock),
  updatedAt: isoOf(r.updated_at),
});

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
    actor: r.actor,
    created_at: r.created_at!,
  });
}
