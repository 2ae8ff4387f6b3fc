import type { Queryable } from "./client";
import { Statement } from "./named";

/**
 * The TypeScript side of the one door (sql/stock-apply.sql): every stock change in the
 * service, the demo seed and the tests is sent through applyStockOperations.
 */

export type MovementKind = "adjustment" | "transfer_out" | "transfer_in" | "count";

/** One change of one level; see the stockroom_change type for what each field does. */
export interface StockChange {
  productId: string;
  storeId: string;
  kind: MovementKind;
  /** Units added (negative: taken). */
  delta?: number;
  /** A stock count: the level becomes this many units. */
  count?: number;
  minStock?: number;
  /** Refuse unless the level holds exactly this many units. */
  expected?: number;
  reason?: string | null;
  reference?: string | null;
  transferId?: string | null;
  actor?: string | null;
  /** The reservation the change belongs to; its ledger row carries it. */
  reservationId?: string | null;
  /**
   * A hold on the level, on reservationId's line for this product: `take` opens it with
   * `units` units (they must be available) until `expiresAt`; `drop` closes it (refused
   * `not_held` if it is no longer open); `lapse` closes it if it is still open.
   */
  hold?: "take" | "drop" | "lapse";
  units?: number;
  expiresAt?: string;
  /** The shipment the change belongs to; its ledger row carries it. */
  shipmentId?: string | null;
  /**
   * Units added to the level's `incoming` (in transit towards it): positive when a shipment
   * leaves for it, negative when units arrive, are rejected or written off (refused `transit`
   * if the level has fewer incoming).
   */
  transit?: number;
}

/** Changes that apply together or not at all (a transfer's two legs). */
export type StockOperation = StockChange[];

export type StockRefusal =
  | "insufficient"
  | "stale"
  | "reserved"
  | "not_held"
  | "transit"
  | "no_product"
  | "no_store";

/** A stockroom_outcome row, as the drivers hand it over. */
export interface OutcomeRow {
  op: number;
  change: number;
  outcome: "ok" | StockRefusal;
  found: number | null;
  movement_id: string | null;
  seq: number | string | null;
  kind: MovementKind | null;
  delta: number | null;
  reason: string | null;
  reference: string | null;
  transfer_id: string | null;
  actor: string | null;
  created_at: Date | string | null;
  product_id: string;
  store_id: string;
  quantity: number;
  reserved: number;
  min_stock: number;
  updated_at: Date | string;
  reservation_id: string | null;
  sku: string;
  name: string;
  category: string;
  price: string;
  incoming: number;
  shipment_id: string | null;
}

/** What happened to one operation. */
export type OperationOutcome =
  | { applied: true; rows: OutcomeRow[] }
  | {
      applied: false;
      refusal: StockRefusal;
      /** The change that was refused. */
      change: StockChange;
      /**
       * What the level held when the change was refused: units available (insufficient), on
       * hand (stale), reserved (reserved), incoming (transit).
       */
      found: number | null;
    };

/** The statement the server sends for every stock change; pgbench runs it too. */
export const APPLY_STOCK_SQL = "select * from stockroom_apply($1::jsonb)";

/** The JSON stockroom_apply reads: one object per change, keyed as stockroom_change. */
export function changesJson(operations: StockOperation[]): string {
  const changes: Array<Record<string, unknown>> = [];
  operations.forEach((operation, op) => {
    for (const c of operation)
      changes.push({
        op,
        product_id: c.productId,
        store_id: c.storeId,
        kind: c.kind,
        delta: c.delta ?? null,
        count: c.count ?? null,
        min_stock: c.minStock ?? null,
        expected: c.expected ?? null,
        reason: c.reason ?? null,
        reference: c.reference ?? null,
        transfer_id: c.transferId ?? null,
        actor: c.actor ?? null,
        reservation_id: c.reservationId ?? null,
        hold: c.hold ?? null,
        units: c.units ?? null,
        expires_at: c.expiresAt ?? null,
        shipment_id: c.shipmentId ?? null,
        transit: c.transit ?? null,
      });
  });
  return JSON.stringify(changes);
}

/**
 * Applies the operations in ONE statement (one round trip; atomic on its own, or part of the
 * caller's transaction) and answers one outcome per operation, in order. Operations are
 * judged one after another: each sees what the ones before it left.
 */
export async function applyStockOperations(
  db: Queryable,
  operations: StockOperation[],
): Promise<OperationOutcome[]> {
  if (operations.length === 0) return [];
  const st = new Statement();
  st.p(changesJson(operations));
  const rows = await st.rows<OutcomeRow>(db, APPLY_STOCK_SQL);
  const byOp: OutcomeRow[][] = operations.map(() => []);
  for (const row of rows) byOp[Number(row.op)]?.push(row);
  let offset = 0; // change numbers count across operations, from 1
  return operations.map((operation, op) => {
    const own = byOp[op]!;
    const first = offset;
    offset += operation.length;
    const refused = own.find((r) => r.outcome !== "ok");
    if (refused) {
      return {
        applied: false,
        refusal: refused.outcome as StockRefusal,
        change: operation[Number(refused.change) - 1 - first]!,
        found: refused.found === null ? null : Number(refused.found),
      };
    }
    if (own.length !== operation.length)
      throw new Error(
        `stockroom_apply answered ${own.length} of ${operation.length} changes of operation ${op}`,
      );
    return { applied: true, rows: own };
  });
}

export interface TransferChange {
  productId: string;
  sourceStoreId: string;
  targetStoreId: string;
  quantity: number;
  reference?: string | null;
  transferId: string;
  actor: string | null;
}

/** A transfer as one operation: its out-leg and its in-leg, both or neither. */
export function transferOperation(t: TransferChange): StockOperation {
  const common = { productId: t.productId, reference: t.reference, transferId: t.transferId, actor: t.actor };
  return [
    { ...common, storeId: t.sourceStoreId, kind: "transfer_out", delta: -t.quantity },
    { ...common, storeId: t.targetStoreId, kind: "transfer_in", delta: t.quantity },
  ];
}
