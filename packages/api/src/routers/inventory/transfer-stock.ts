import { defineOperation } from "../../operation";
import { stockDoor, transferStock } from "../../services/stock";
import { observeStock } from "./observe";
import { transferStockMeta, ZTransferInput, ZTransferOutput } from "./transfer-stock.types";

export const transferStockOperation = defineOperation({
  name: "inventory.transfer",
  meta: transferStockMeta,
  input: ZTransferInput,
  output: ZTransferOutput,
  minRole: "clerk",
  kind: "statement",
  handler: (ctx, input) =>
    observeStock(ctx, "transfer", () => transferStock(stockDoor(ctx), input, ctx.auth.id)),
});
