import { requireString, storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { storeFields } from "./columns";

export default defineApiCommand({
  meta: { name: "update", description: "Rename a store" },
  args: { ...storeArg, name: { type: "string", description: "New display name", required: true } },
  async run({ args, client, out }) {
    const store = await client.stores.update({ id: args.store, name: requireString(args.name, "--name") });
    out.result(store, () => out.record(store, storeFields));
  },
});
