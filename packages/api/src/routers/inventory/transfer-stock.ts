import { transferStock } from "../../services/stock";
import { clerkSingleStatementMutation } from "../../trpc";
import { observeStock } from "./observe";
import { queuesOf } from "./queues";
import { transferStockMeta, ZTransferInput, ZTransferOutput } from "./transfer-stock.types";

export const transferStockRoute = clerkSingleStatementMutation
  .meta(transferStockMeta)
  .input(ZTransferInput)
  .output(ZTransferOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "transfer", () =>
      transferStock(ctx.db, input, ctx.auth.id, {
        inTransaction: ctx.inTransaction,
        queue: queuesOf(ctx.rt).transfers,
      }),
    ),
  );
