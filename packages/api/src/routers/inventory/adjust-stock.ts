import { adjustStock } from "../../services/stock";
import { clerkMutation } from "../../trpc";
import { adjustStockMeta, ZAdjustInput, ZAdjustOutput } from "./adjust-stock.types";
import { observeStock } from "./observe";

export const adjustStockRoute = clerkMutation
  .meta(adjustStockMeta)
  .input(ZAdjustInput)
  .output(ZAdjustOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "adjustment", () => adjustStock(ctx.db, input, ctx.auth.id)),
  );
