import { pagingArgs, pagingFrom, storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { colors } from "../../lib/output";
import { footer } from "../products/list";
import { levelColumns } from "./columns";

export default defineApiCommand({
  meta: { name: "show", description: "Stock levels of one store" },
  args: {
    ...storeArg,
    "below-min": { type: "boolean", description: "Only levels below their minimum" },
    category: { type: "string", description: "Only this category", valueHint: "name" },
    q: { type: "string", description: "Name or sku contains this text", valueHint: "text" },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const page = await client.inventory.listByStore({
      storeId: args.store,
      belowMin: args["below-min"] ? true : undefined,
      category: args.category,
      q: args.q,
      ...pagingFrom(args),
    });
    out.result(page, () => {
      out.table(page.items, levelColumns(colors()));
      footer(out, page);
    });
  },
});
