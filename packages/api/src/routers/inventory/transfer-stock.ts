import { stockDoor, transferStock } from "../../services/stock";
import { clerkSingleStatementMutation } from "../../trpc";
import { observeStock } from "./observe";
import { transferStockMeta, ZTransferInput, ZTransferOutput } from "./transfer-stock.types";

export const transferStockRoute = clerkSingleStatementMutation
  .meta(transferStockMeta)
  .input(ZTransferInput)
  .output(ZTransferOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "transfer", () => transferStock(stockDoor(ctx), input, ctx.auth.id)),
  );
