import { defineOperation } from "../../operation";
import { adjustStock } from "../../services/stock";
import { adjustStockMeta, ZAdjustInput, ZAdjustOutput } from "./adjust-stock.types";
import { observeStock } from "./observe";
import { queuesOf } from "./queues";

export const adjustStockOperation = defineOperation({
  name: "inventory.adjust",
  meta: adjustStockMeta,
  input: ZAdjustInput,
  output: ZAdjustOutput,
  minRole: "clerk",
  kind: "statement",
  handler: (ctx, input) =>
    observeStock(ctx, "adjustment", () =>
      adjustStock(ctx.db, input, ctx.auth.id, {
        inTransaction: ctx.inTransaction,
        queue: queuesOf(ctx.rt).adjustments,
      }),
    ),
});
