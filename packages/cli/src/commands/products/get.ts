import { productArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { resolveProduct } from "../../lib/resolve";
import { showProduct } from "./columns";

export default defineApiCommand({
  meta: { name: "get", description: "Show one product (by id or sku)" },
  args: { ...productArg },
  async run({ args, client, out }) {
    const product = await resolveProduct(client, args.product);
    out.result(product, () => showProduct(out, product));
  },
});
