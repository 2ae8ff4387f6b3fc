import type { ProcedureContext } from "../../context";
import { toAppError } from "../../errors";

/** Reports each stock operation's outcome to the runtime hooks (metrics). */
export async function observeStock<T>(
  ctx: Pick<ProcedureContext, "rt">,
  kind: "adjustment" | "transfer" | "count",
  run: () => Promise<T>,
): Promise<T> {
  try {
    const result = await run();
    ctx.rt.hooks.stockOperation?.(kind, "ok");
    return result;
  } catch (err) {
    ctx.rt.hooks.stockOperation?.(kind, toAppError(err).appCode.toLowerCase());
    throw err;
  }
}
