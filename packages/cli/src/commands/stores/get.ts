import { storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { storeFields } from "./columns";

export default defineApiCommand({
  meta: { name: "get", description: "Show one store" },
  args: { ...storeArg },
  async run({ args, client, out }) {
    const store = await client.stores.get({ id: args.store });
    out.result(store, () => out.record(store, storeFields));
  },
});
