import { requireString, storeArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { storeFields } from "./columns";

export default defineApiCommand({
  meta: { name: "create", description: "Create a store with an id you choose (lowercase slug)" },
  args: { ...storeArg, name: { type: "string", description: "Display name", required: true } },
  async run({ args, client, out }) {
    const store = await client.stores.create({ id: args.store, name: requireString(args.name, "--name") });
    out.result(store, () => out.record(store, storeFields));
  },
});
