import { defineOperation } from "../../operation";
import { adjustStock, stockDoor } from "../../services/stock";
import { adjustStockMeta, ZAdjustInput, ZAdjustOutput } from "./adjust-stock.types";
import { observeStock } from "./observe";

export const adjustStockOperation = defineOperation({
  name: "inventory.adjust",
  meta: adjustStockMeta,
  input: ZAdjustInput,
  output: ZAdjustOutput,
  minRole: "clerk",
  kind: "statement",
  handler: (ctx, input) =>
    observeStock(ctx, "adjustment", () => adjustStock(stockDoor(ctx), input, ctx.auth.id)),
});
