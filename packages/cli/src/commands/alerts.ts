import { pagingArgs, pagingFrom } from "../lib/args";
import { defineApiCommand } from "../lib/command";
import { footer } from "./products/list";

export default defineApiCommand({
  meta: {
    name: "alerts",
    description: "Stock levels whose available units are below their minimum, with the shortfall",
  },
  args: {
    store: { type: "string", description: "Only this store", valueHint: "id" },
    category: { type: "string", description: "Only this category", valueHint: "name" },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const page = await client.inventory.alerts({
      storeId: args.store,
      category: args.category,
      ...pagingFrom(args),
    });
    out.result(page, () => {
      if (page.items.length === 0) {
        out.line("No stock below its minimum.");
        return;
      }
      out.table(page.items, [
        { header: "store", value: (a) => a.storeId },
        { header: "sku", value: (a) => a.sku },
        { header: "name", value: (a) => a.name },
        { header: "qty", value: (a) => a.quantity, align: "right" },
        { header: "reserved", value: (a) => a.reserved, align: "right" },
        { header: "avail", value: (a) => a.available, align: "right" },
        { header: "min", value: (a) => a.minStock, align: "right" },
        { header: "short", value: (a) => a.shortfall, align: "right" },
      ]);
      footer(out, page);
    });
  },
});
