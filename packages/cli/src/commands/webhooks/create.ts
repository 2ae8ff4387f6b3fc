import type { RouterInputs } from "@stockroom/sdk";
import { requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";

type Events = RouterInputs["webhooks"]["create"]["events"];

export default defineApiCommand({
  meta: { name: "create", description: "Add a webhook endpoint; its signing secret is shown this once" },
  args: {
    endpoint: { type: "positional", description: "https URL that receives the events", required: true },
    events: {
      type: "string",
      description: "Event types, comma-separated, or * (default)",
      valueHint: "types",
    },
    description: { type: "string", description: "What it is for", valueHint: "text" },
  },
  async run({ args, client, out }) {
    const events = (args.events ?? "*").split(",").map((t) => t.trim()) as Events;
    const hook = await client.webhooks.create({
      url: requireString(args.endpoint, "endpoint"),
      events,
      ...(args.description ? { description: args.description } : {}),
    });
    out.result(hook, () => {
      out.record(hook, ["id", "url", "events", "enabled", "createdAt"]);
      out.line();
      out.line(hook.secret);
      out.note("This signing secret is shown only now; give it to the receiver to verify signatures.");
    });
  },
});
