/**
 * Turning any failure into `error CODE: detail` on stderr, a hint, and an exit code.
 *
 *   reportError(err, { url?, stderr? }) → ExitCode
 *       StockroomError   → `error SKU_TAKEN: …`, validation issues listed, a hint per code,
 *                          the request id; exit 1, or 3 when no answer arrived
 *       UsageError / citty's parse errors → `error USAGE: …` + "Run … --help"; exit 2
 *       CliFailure       → `error CODE: detail` + its hint; its exit code
 *       anything else    → `error INTERNAL: message` (stack only with STOCKROOM_DEBUG=1); exit 1
 *   hintFor(code, url?)  the advice printed for an API error code
 */
import { isStockroomError, type StockroomError } from "@stockroom/sdk";
import { CliFailure, EXIT, type ExitCode, exitCodeFor, isCittyUsageError, UsageError } from "./exit";
import { colors, stripAnsi } from "./output";

export function hintFor(code: string, url?: string): string | undefined {
  switch (code) {
    case "NETWORK_ERROR":
    case "TIMEOUT":
      return `Is the server running at ${url ?? "the given URL"}? Start one with \`pnpm start\`, or pass --url / set STOCKROOM_URL.`;
    case "UNAUTHORIZED":
      return "Check --api-key or STOCKROOM_API_KEY; the key may be mistyped or revoked.";
    case "FORBIDDEN":
      return "This key's role is too low; an admin can create a stronger one with `stockroom keys create`.";
    case "NOT_FOUND":
      return "Check the id or sku; `stockroom products list --q <text>` and `stockroom stores list` help find them.";
    case "SKU_TAKEN":
      return "Another live product has this sku; change that one with `stockroom products update`.";
    case "STORE_EXISTS":
      return "Pick another store id, or rename the existing store with `stockroom stores update`.";
    case "STORE_NOT_EMPTY":
      return "Move its stock away first (`stockroom stock transfer`) or count it to zero (`stockroom stock set --quantity 0`).";
    case "INSUFFICIENT_STOCK":
      return "Only available units count (on hand less reserved): see `stockroom stock show <store>`, and what holds them with `stockroom reservations list --store <store> --status active`.";
    case "BELOW_RESERVED":
      return "Active reservations hold more than that count; release or commit them first (`stockroom reservations list --store <store> --status active`).";
    case "RESERVATION_NOT_ACTIVE":
      return "It was already committed, released or has expired; see it with `stockroom reservations show <id>`, or create a new one.";
    case "OVER_COMMIT":
      return "Commit at most the units each line holds (`stockroom reservations show <id>`); omit --line to sell everything held.";
    case "INVALID_STATE":
      return "Not in this state: a draft is shipped or cancelled, a shipment on its way is received or closed. See where it stands with `stockroom shipments show <id>`.";
    case "OVER_RECEIPT":
      return "More than is still in transit on that line (or a product not on the shipment); see what is left with `stockroom shipments show <id>`. Nothing was booked.";
    case "STALE_QUANTITY":
      return "The level changed since you read it; read it again and retry with the new --expected value.";
    case "IDEMPOTENCY_KEY_REUSED":
      return "That idempotency key was used for a different request; use a new one.";
    case "PAYLOAD_TOO_LARGE":
      return "Send less at once (for imports: a smaller --chunk-size).";
    case "RATE_LIMITED":
      return "Too many requests for this key; wait a moment and retry.";
    case "UNAVAILABLE":
      return "The server or its database is busy or down; retry shortly and check `/ready`.";
    case "INTERNAL":
      return "This is a server bug; report it with the request id.";
    default:
      return undefined;
  }
}

export interface ReportOptions {
  url?: string;
  stderr?: { write(s: string): unknown; isTTY?: boolean };
  /** Command path for the usage hint, e.g. "stockroom products create". */
  command?: string;
}

export function reportError(err: unknown, options: ReportOptions = {}): ExitCode {
  const stderr = options.stderr ?? process.stderr;
  const c = colors(stderr);
  const lines: string[] = [];
  const head = (code: string, detail: string) => lines.push(`${c.red("error")} ${c.bold(code)}: ${detail}`);
  const hint = (text: string | undefined) => {
    if (text) lines.push(`${c.yellow("hint")} ${text}`);
  };

  if (isStockroomError(err)) {
    const e = err as StockroomError;
    head(e.code, e.detail);
    for (const issue of e.issues) lines.push(`  ${issue.path}: ${issue.message}`);
    hint(hintFor(e.code, options.url));
    if (e.requestId && e.status !== null && e.status >= 500) lines.push(c.dim(`request id: ${e.requestId}`));
  } else if (err instanceof UsageError || isCittyUsageError(err)) {
    head("USAGE", stripAnsi(err.message));
    hint(
      err instanceof UsageError && err.hint
        ? err.hint
        : `Run \`${options.command ?? "stockroom"} --help\` to see the arguments.`,
    );
  } else if (err instanceof CliFailure) {
    head(err.code, err.detail);
    hint(err.hint);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    head("INTERNAL", message || "unexpected failure");
    if (process.env.STOCKROOM_DEBUG === "1" && err instanceof Error && err.stack)
      lines.push(c.dim(err.stack));
    else hint("This is a bug in the CLI; run again with STOCKROOM_DEBUG=1 for details.");
  }
  stderr.write(`${lines.join("\n")}\n`);
  return exitCodeFor(err) ?? EXIT.API;
}
