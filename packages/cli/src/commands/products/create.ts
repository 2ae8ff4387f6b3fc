import { parseNumberArg, requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { showProduct } from "./columns";

export default defineApiCommand({
  meta: { name: "create", description: "Create a product" },
  args: {
    sku: {
      type: "string",
      description: "Stock keeping unit: letters, digits, . _ / - (unique)",
      required: true,
    },
    name: { type: "string", description: "Name", required: true },
    category: { type: "string", description: "Category", required: true },
    price: { type: "string", description: "Price, at most two decimals", required: true, valueHint: "n" },
    description: { type: "string", description: "Description" },
  },
  async run({ args, client, out }) {
    const product = await client.products.create({
      sku: requireString(args.sku, "--sku"),
      name: requireString(args.name, "--name"),
      category: requireString(args.category, "--category"),
      price: parseNumberArg(args.price, "--price")!,
      description: args.description,
    });
    out.result(product, () => showProduct(out, product));
  },
});
