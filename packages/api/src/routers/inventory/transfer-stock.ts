import { defineOperation } from "../../operation";
import { transferStock } from "../../services/stock";
import { observeStock } from "./observe";
import { queuesOf } from "./queues";
import { transferStockMeta, ZTransferInput, ZTransferOutput } from "./transfer-stock.types";

export const transferStockOperation = defineOperation({
  name: "inventory.transfer",
  meta: transferStockMeta,
  input: ZTransferInput,
  output: ZTransferOutput,
  minRole: "clerk",
  kind: "statement",
  handler: (ctx, input) =>
    observeStock(ctx, "transfer", () =>
      transferStock(ctx.db, input, ctx.auth.id, {
        inTransaction: ctx.inTransaction,
        queue: queuesOf(ctx.rt).transfers,
      }),
    ),
});
