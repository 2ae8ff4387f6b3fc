import { parseNumberArg, productArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductId } from "../../lib/resolve";
import { showProduct } from "./columns";

export default defineApiCommand({
  meta: { name: "update", description: "Change some fields of a product (by id or sku)" },
  args: {
    ...productArg,
    sku: { type: "string", description: "New sku" },
    name: { type: "string", description: "New name" },
    category: { type: "string", description: "New category" },
    price: { type: "string", description: "New price", valueHint: "n" },
    description: { type: "string", description: 'New description ("" clears it)' },
  },
  async run({ args, client, out }) {
    const changes = {
      sku: args.sku,
      name: args.name,
      category: args.category,
      price: parseNumberArg(args.price, "--price"),
      description:
        args.description === undefined ? undefined : args.description === "" ? null : args.description,
    };
    if (Object.values(changes).every((v) => v === undefined))
      throw new UsageError(
        "Nothing to change: give at least one of --sku, --name, --category, --price, --description",
      );
    const id = await resolveProductId(client, args.product);
    const product = await client.products.update({ id, ...changes });
    out.result(product, () => showProduct(out, product));
  },
});
