import type { Runtime } from "../../context";
import { TransferQueue, transferStock } from "../../services/stock";
import { clerkSingleStatementMutation } from "../../trpc";
import { observeStock } from "./observe";
import { transferStockMeta, ZTransferInput, ZTransferOutput } from "./transfer-stock.types";

/** One queue per runtime (that is, per server process and database). */
const queues = new WeakMap<Runtime, TransferQueue>();
function queueOf(rt: Runtime): TransferQueue {
  let queue = queues.get(rt);
  if (!queue) {
    queue = new TransferQueue(rt.database.db, rt.transferBatching, (n) => rt.hooks.transferStatement?.(n));
    queues.set(rt, queue);
  }
  return queue;
}

export const transferStockRoute = clerkSingleStatementMutation
  .meta(transferStockMeta)
  .input(ZTransferInput)
  .output(ZTransferOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "transfer", () =>
      transferStock(ctx.db, input, ctx.auth.id, { inTransaction: ctx.inTransaction, queue: queueOf(ctx.rt) }),
    ),
  );
