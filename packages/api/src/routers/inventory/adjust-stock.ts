import { adjustStock } from "../../services/stock";
import { clerkSingleStatementMutation } from "../../trpc";
import { adjustStockMeta, ZAdjustInput, ZAdjustOutput } from "./adjust-stock.types";
import { observeStock } from "./observe";
import { queuesOf } from "./queues";

export const adjustStockRoute = clerkSingleStatementMutation
  .meta(adjustStockMeta)
  .input(ZAdjustInput)
  .output(ZAdjustOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "adjustment", () =>
      adjustStock(ctx.db, input, ctx.auth.id, {
        inTransaction: ctx.inTransaction,
        queue: queuesOf(ctx.rt).adjustments,
      }),
    ),
  );
