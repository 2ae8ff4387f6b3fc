import { linesArg, parseIntArg, parseLines, repeatedOption, requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductIds } from "../../lib/resolve";
import { printReservation } from "./columns";

export default defineApiCommand({
  meta: {
    name: "create",
    description:
      "Hold units in one store until committed, released or expired; all lines or none (INSUFFICIENT_STOCK)",
  },
  args: {
    store: { type: "string", description: "Store id", required: true, valueHint: "id" },
    ...linesArg("Units to hold"),
    ttl: {
      type: "string",
      description: "Seconds until it expires, 1..86400 (default 900)",
      valueHint: "seconds",
    },
    reference: { type: "string", description: "Your cart or order id" },
  },
  async run({ args, rawArgs, client, out }) {
    const storeId = requireString(args.store, "--store");
    const lines = parseLines(repeatedOption(rawArgs, "line"), "--line");
    if (lines.length === 0) throw new UsageError("Give at least one --line <product>=<qty>");
    const ttlSeconds = parseIntArg(args.ttl, "--ttl", { min: 1, max: 86_400 });
    const ids = await resolveProductIds(
      client,
      lines.map((l) => l.product),
    );
    const r = await client.reservations.create({
      storeId,
      lines: lines.map((l, i) => ({ productId: ids[i]!, quantity: l.quantity })),
      ttlSeconds,
      reference: args.reference,
    });
    await printReservation(client, out, r, `Reserved in ${r.storeId} until ${r.expiresAt}`);
  },
});
