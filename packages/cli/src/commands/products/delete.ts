import { productArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { resolveProduct } from "../../lib/resolve";

export default defineApiCommand({
  meta: { name: "delete", description: "Delete a product (soft: its ledger stays, its sku is free again)" },
  args: { ...productArg },
  async run({ args, client, out }) {
    const product = await resolveProduct(client, args.product);
    await client.products.delete({ id: product.id });
    out.result({ id: product.id, sku: product.sku, deleted: true }, () =>
      out.line(`Deleted ${product.sku} (${product.id})`),
    );
  },
});
