import { parseIntArg, productArg, requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { resolveProductId } from "../../lib/resolve";

export default defineApiCommand({
  meta: { name: "transfer", description: "Move stock between two stores, atomically" },
  args: {
    ...productArg,
    from: { type: "string", description: "Source store id", required: true },
    to: { type: "string", description: "Target store id", required: true },
    qty: { type: "string", description: "Quantity to move, 1..1000000", required: true, valueHint: "n" },
    reference: { type: "string", description: "Free text, e.g. a delivery note" },
  },
  async run({ args, client, out }) {
    const quantity = parseIntArg(args.qty, "--qty", { min: 1, max: 1_000_000 })!;
    const productId = await resolveProductId(client, args.product);
    const t = await client.inventory.transfer({
      productId,
      sourceStoreId: requireString(args.from, "--from"),
      targetStoreId: requireString(args.to, "--to"),
      quantity,
      reference: args.reference,
    });
    out.result(t, () =>
      out.line(
        `Moved ${t.quantity} × ${t.source.sku} from ${t.sourceStoreId} (now ${t.source.quantity}) to ${t.targetStoreId} (now ${t.target.quantity}); transfer ${t.transferId}`,
      ),
    );
  },
});
