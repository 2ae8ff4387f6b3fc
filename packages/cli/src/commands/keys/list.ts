import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: { name: "list", description: "List API keys (secrets are never shown again)" },
  async run({ client, out }) {
    const { items } = await client.keys.list();
    out.result({ items }, () =>
      out.table(items, [
        { header: "id", value: (k) => k.id },
        { header: "name", value: (k) => k.name },
        { header: "role", value: (k) => k.role },
        { header: "prefix", value: (k) => k.prefix },
        { header: "last used", value: (k) => k.lastUsedAt },
        { header: "revoked", value: (k) => k.revokedAt },
      ]),
    );
  },
});
