import { parseIntArg, productArg, storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductId } from "../../lib/resolve";
import { levelFields } from "./columns";

export default defineApiCommand({
  meta: {
    name: "set",
    description: "Set a minimum and/or record a stock count (the ledger keeps the difference)",
  },
  args: {
    ...storeArg,
    ...productArg,
    min: { type: "string", description: "Minimum stock; below it the level raises an alert", valueHint: "n" },
    quantity: { type: "string", description: "Counted quantity", valueHint: "n" },
    expected: {
      type: "string",
      description: "Refuse (STALE_QUANTITY) unless the level is still this",
      valueHint: "n",
    },
  },
  async run({ args, client, out }) {
    const minStock = parseIntArg(args.min, "--min", { min: 0 });
    const quantity = parseIntArg(args.quantity, "--quantity", { min: 0 });
    const expectedQuantity = parseIntArg(args.expected, "--expected", { min: 0 });
    if (minStock === undefined && quantity === undefined)
      throw new UsageError("Give --min, --quantity or both");
    const productId = await resolveProductId(client, args.product);
    const level = await client.inventory.setLevel({
      storeId: args.store,
      productId,
      minStock,
      quantity,
      expectedQuantity,
    });
    out.result(level, () => out.record(level, levelFields));
  },
});
