import { pagingArgs, pagingFrom } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { footer } from "../products/list";

export default defineApiCommand({
  meta: { name: "list", description: "List webhook endpoints" },
  args: { ...pagingArgs },
  async run({ args, client, out }) {
    const page = await client.webhooks.list(pagingFrom(args));
    out.result(page, () => {
      out.table(page.items, [
        { header: "id", value: (w) => w.id },
        { header: "url", value: (w) => w.url },
        { header: "events", value: (w) => w.events.join(",") },
        {
          header: "enabled",
          value: (w) => (w.enabled ? "yes" : `no${w.disabledReason ? ` (${w.disabledReason})` : ""}`),
        },
      ]);
      footer(out, page);
    });
  },
});
