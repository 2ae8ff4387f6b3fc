import { transferOperation } from "@stockroom/db";
import type { StockDoor } from "./door";
import { movementOf, toLevel } from "./mappers";
import { assertDistinctStores } from "./refusals";

export interface TransferInput {
  productId: string;
  sourceStoreId: string;
  targetStoreId: string;
  quantity: number;
  reference?: string | null;
}

/** Moves units between two stores: both ledger legs in one operation, so both or neither. */
export async function transferStock(door: StockDoor, input: TransferInput, actor: string | null) {
  const { productId, sourceStoreId, targetStoreId, quantity } = input;
  assertDistinctStores(sourceStoreId, targetStoreId);
  const transferId = crypto.randomUUID();
  const [out, inn] = await door(transferOperation({ ...input, transferId, actor }));
  const outMovement = movementOf(out!)!;
  return {
    transferId,
    productId,
    sourceStoreId,
    targetStoreId,
    quantity,
    reference: input.reference ?? null,
    createdAt: outMovement.createdAt,
    source: toLevel(out!),
    target: toLevel(inn!),
    movements: [outMovement, movementOf(inn!)!],
  };
}
