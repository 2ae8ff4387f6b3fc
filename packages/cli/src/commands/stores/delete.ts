import { storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: { name: "delete", description: "Delete a store that holds no stock" },
  args: { ...storeArg },
  async run({ args, client, out }) {
    await client.stores.delete({ id: args.store });
    out.result({ id: args.store, deleted: true }, () => out.line(`Deleted store ${args.store}`));
  },
});
