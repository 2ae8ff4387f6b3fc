import { linesArg, parseLines, repeatedOption, requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductIds } from "../../lib/resolve";
import { printShipment } from "./columns";
import { byProduct } from "./lines";

export default defineApiCommand({
  meta: {
    name: "create",
    description:
      "Draft a shipment from one store to another; it holds nothing until `stockroom shipments ship <id>`",
  },
  args: {
    from: { type: "string", description: "Store the units leave", required: true, valueHint: "store" },
    to: { type: "string", description: "Store they go to", required: true, valueHint: "store" },
    ...linesArg("Units to send (a product named twice is one line of the sum)"),
    reference: { type: "string", description: "Your delivery note or truck", valueHint: "text" },
  },
  async run({ args, rawArgs, client, out }) {
    const sourceStoreId = requireString(args.from, "--from");
    const targetStoreId = requireString(args.to, "--to");
    const lines = parseLines(repeatedOption(rawArgs, "line"), "--line");
    if (lines.length === 0) throw new UsageError("Give at least one --line <product>=<qty>");
    const ids = await resolveProductIds(
      client,
      lines.map((l) => l.product),
    );
    const s = await client.shipments.create({
      sourceStoreId,
      targetStoreId,
      lines: byProduct(
        lines.map((l, i) => ({ productId: ids[i]!, quantity: l.quantity })),
        (a, b) => ({ productId: a.productId, quantity: a.quantity + b.quantity }),
      ),
      reference: args.reference,
    });
    await printShipment(
      client,
      out,
      s,
      `Drafted shipment ${s.id} from ${s.sourceStoreId} to ${s.targetStoreId}; ship it with \`stockroom shipments ship ${s.id}\``,
    );
  },
});
