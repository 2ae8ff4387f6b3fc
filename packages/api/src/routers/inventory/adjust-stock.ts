import { adjustStock, stockDoor } from "../../services/stock";
import { clerkSingleStatementMutation } from "../../trpc";
import { adjustStockMeta, ZAdjustInput, ZAdjustOutput } from "./adjust-stock.types";
import { observeStock } from "./observe";

export const adjustStockRoute = clerkSingleStatementMutation
  .meta(adjustStockMeta)
  .input(ZAdjustInput)
  .output(ZAdjustOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "adjustment", () => adjustStock(stockDoor(ctx), input, ctx.auth.id)),
  );
