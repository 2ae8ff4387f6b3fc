import type { RouterInputs } from "@stockroom/sdk";
import { parseIntArg, productArg, requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductId } from "../../lib/resolve";

type Reason = RouterInputs["inventory"]["adjust"]["reason"];
// Checked both ways against the API's type: a reason added or dropped there breaks this line.
const REASONS = [
  "received",
  "sold",
  "returned",
  "damaged",
  "lost",
  "correction",
  "other",
] as const satisfies readonly Reason[];
type Exhaustive = Exclude<Reason, (typeof REASONS)[number]> extends never ? true : never;
const exhaustive: Exhaustive = true;
void exhaustive;

export default defineApiCommand({
  meta: { name: "adjust", description: "Add or remove stock with a reason (negative --delta removes)" },
  args: {
    ...productArg,
    store: { type: "string", description: "Store id", required: true },
    delta: {
      type: "string",
      description: "Signed change, e.g. 25 or -3 (write --delta=-3)",
      required: true,
      valueHint: "n",
    },
    reason: { type: "string", description: `One of ${REASONS.join(", ")}`, required: true },
    reference: { type: "string", description: "Free text, e.g. an invoice number" },
    expected: {
      type: "string",
      description: "Refuse (STALE_QUANTITY) unless the level is still this",
      valueHint: "n",
    },
  },
  async run({ args, client, out }) {
    const delta = parseIntArg(args.delta, "--delta")!;
    if (delta === 0) throw new UsageError("--delta must not be zero");
    const reason = requireString(args.reason, "--reason");
    if (!REASONS.includes(reason as Reason))
      throw new UsageError(`--reason must be one of ${REASONS.join(", ")}, got '${reason}'`);
    const productId = await resolveProductId(client, args.product);
    const result = await client.inventory.adjust({
      productId,
      storeId: requireString(args.store, "--store"),
      delta,
      reason: reason as Reason,
      reference: args.reference,
      expectedQuantity: parseIntArg(args.expected, "--expected", { min: 0 }),
    });
    out.result(result, () =>
      out.line(
        `${result.level.sku} in ${result.level.storeId}: ${delta > 0 ? "+" : ""}${delta} (${reason}) → ${result.level.quantity}${result.level.reserved > 0 ? ` (${result.level.available} available)` : ""}${result.level.belowMin ? ` (below minimum ${result.level.minStock})` : ""}`,
      ),
    );
  },
});
