import { pagingArgs, pagingFrom } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { footer } from "../products/list";
import { storeColumns } from "./columns";

export default defineApiCommand({
  meta: { name: "list", description: "List stores" },
  args: { ...pagingArgs },
  async run({ args, client, out }) {
    const page = await client.stores.list(pagingFrom(args));
    out.result(page, () => {
      out.table(page.items, storeColumns);
      footer(out, page);
    });
  },
});
