import type { StockDoor } from "./door";
import { movementOf, toLevel } from "./mappers";

export interface SetLevelInput {
  productId: string;
  storeId: string;
  minStock?: number;
  quantity?: number;
  expectedQuantity?: number;
}

/**
 * Sets the threshold and/or records a stock count: the level becomes `quantity`, and the
 * ledger gets a row of kind `count` with the difference (none when the count found what the
 * level held). Creates the level if it does not exist yet.
 */
export async function setLevel(door: StockDoor, input: SetLevelInput, actor: string | null) {
  const [row] = await door([
    {
      productId: input.productId,
      storeId: input.storeId,
      kind: "count",
      count: input.quantity,
      minStock: input.minStock,
      expected: input.expectedQuantity,
      reason: "correction",
      actor,
    },
  ]);
  return { level: toLevel(row!), movement: movementOf(row!) };
}
