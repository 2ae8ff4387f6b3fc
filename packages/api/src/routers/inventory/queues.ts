import type { Runtime } from "../../context";
import {
  type AdjustmentQueue,
  adjustmentQueue,
  type TransferQueue,
  transferQueue,
} from "../../services/stock";

/** One pair of queues per runtime (that is, per server process and database). */
const byRuntime = new WeakMap<Runtime, { transfers: TransferQueue; adjustments: AdjustmentQueue }>();

/** The queues that group key-less transfers and adjustments (see StatementQueue). */
export function queuesOf(rt: Runtime) {
  let queues = byRuntime.get(rt);
  if (!queues) {
    const db = rt.database.db;
    queues = {
      transfers: transferQueue(db, rt.writeBatching, (n) => rt.hooks.writeStatement?.("transfer", n)),
      adjustments: adjustmentQueue(db, rt.writeBatching, (n) => rt.hooks.writeStatement?.("adjustment", n)),
    };
    byRuntime.set(rt, queues);
  }
  return queues;
}
