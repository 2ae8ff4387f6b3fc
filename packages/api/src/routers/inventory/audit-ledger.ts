import { PgCode, pgErrorCode } from "@stockroom/db";
import { DEFAULT_AUDIT_TIMEOUT_MS } from "../../context";
import { AppError } from "../../errors";
import { defineOperation } from "../../operation";
import { auditLedger } from "../../services/stock-queries";
import { auditLedgerMeta, ZAuditInput, ZAuditOutput } from "./audit-ledger.types";

export const auditLedgerOperation = defineOperation({
  name: "inventory.audit",
  meta: auditLedgerMeta,
  input: ZAuditInput,
  output: ZAuditOutput,
  minRole: "admin",
  kind: "read",
  consistency: "strong",
  // The checks get the audit's own timeout: a first or full audit reads the whole ledger.
  handler: (ctx, input) => {
    const ms = ctx.rt.auditTimeoutMs ?? DEFAULT_AUDIT_TIMEOUT_MS;
    return auditLedger(ctx.db, input ?? {}, async (run) => {
      try {
        return await ctx.rt.database.longRunning(ms, run);
      } catch (err) {
        // Asking again would run into the same limit: say which one, and what to do.
        if (pgErrorCode(err) === PgCode.queryCanceled)
          throw new AppError(
            "UNAVAILABLE",
            `The audit's checks ran past STOCKROOM_AUDIT_TIMEOUT_MS (${ms} ms). Raise it (with STOCKROOM_REQUEST_TIMEOUT_MS above it); once a first audit has passed, later ones check only what changed`,
            { cause: err },
          );
        throw err;
      }
    });
  },
});
