import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: { name: "revoke", description: "Revoke an API key at once" },
  args: { id: { type: "positional", description: "Key id (see `stockroom keys list`)", required: true } },
  async run({ args, client, out }) {
    await client.keys.revoke({ id: args.id });
    out.result({ id: args.id, revoked: true }, () => out.line(`Revoked key ${args.id}`));
  },
});
