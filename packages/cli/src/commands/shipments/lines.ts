import type { RouterInputs } from "@stockroom/sdk";
import { parseIntArg } from "../../lib/args";
import { UsageError } from "../../lib/exit";

export type ReceiptLine = RouterInputs["shipments"]["receive"]["lines"][number];

/**
 * One line per product, in the order products first appear: the API refuses a product named
 * twice, while people (and dock scanners) name one several times.
 */
export function byProduct<T extends { productId: string }>(
  lines: readonly T[],
  merge: (a: T, b: T) => T,
): T[] {
  const merged = new Map<string, T>();
  for (const l of lines) {
    const before = merged.get(l.productId);
    merged.set(l.productId, before ? merge(before, l) : l);
  }
  return [...merged.values()];
}

export interface ReceivedUnits {
  accepted: number;
  rejected: number;
  /** Distinct reasons, in the order given. */
  reasons: string[];
}

/** Two counts of the same product: units added, reasons joined without repeats. */
export const addUnits = <T extends ReceivedUnits>(a: T, b: T): T => ({
  ...a,
  accepted: a.accepted + b.accepted,
  rejected: a.rejected + b.rejected,
  reasons: [...new Set([...a.reasons, ...b.reasons])],
});

const UNITS = { min: 0, max: 1_000_000 };

/** `5` (accepted) or `5/1` (accepted/rejected), as `--line HAM-16=5/1` takes them. */
export function parseReceivedUnits(text: string, label: string): ReceivedUnits {
  const match = /^([^/]*)\/([^/]*)$/.exec(text);
  if (text.includes("/") && !match)
    throw new UsageError(`${label} takes <accepted> or <accepted>/<rejected>, got '${text}'`);
  return {
    accepted: parseIntArg(match ? match[1] : text, `${label} accepted`, UNITS)!,
    rejected: match ? parseIntArg(match[2], `${label} rejected`, UNITS)! : 0,
    reasons: [],
  };
}

/**
 * The API's receipt lines: each product once, lines that book nothing left out, a line's
 * reasons joined with "; " (or `fallbackReason` for rejected units given none).
 */
export function receiptLines(
  lines: ReadonlyArray<ReceivedUnits & { productId: string }>,
  fallbackReason?: string,
): ReceiptLine[] {
  return byProduct(lines, addUnits)
    .filter((l) => l.accepted + l.rejected > 0)
    .map((l) => {
      const reason =
        l.reasons.length > 0 ? l.reasons.join("; ") : l.rejected > 0 ? fallbackReason : undefined;
      return {
        productId: l.productId,
        accepted: l.accepted,
        rejected: l.rejected,
        ...(reason ? { reason } : {}),
      };
    });
}
