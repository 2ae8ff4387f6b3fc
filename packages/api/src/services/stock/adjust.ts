import type { TReason } from "../../routers/inventory/level.types";
import type { StockDoor } from "./door";
import { movementOf, toLevel } from "./mappers";

export interface AdjustInput {
  productId: string;
  storeId: string;
  delta: number;
  reason: TReason;
  reference?: string | null;
  expectedQuantity?: number;
}

/** Adds `delta` units (negative: removes them) to one level, creating it on a first receipt. */
export async function adjustStock(door: StockDoor, input: AdjustInput, actor: string | null) {
  const [row] = await door([
    {
      productId: input.productId,
      storeId: input.storeId,
      kind: "adjustment",
      delta: input.delta,
      expected: input.expectedQuantity,
      reason: input.reason,
      reference: input.reference,
      actor,
    },
  ]);
  return { movement: movementOf(row!)!, level: toLevel(row!) };
}
