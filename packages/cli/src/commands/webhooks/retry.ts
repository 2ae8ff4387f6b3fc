import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: { name: "retry", description: "Send a delivery again now" },
  args: {
    id: { type: "positional", description: "Endpoint id", required: true },
    event: {
      type: "positional",
      description: "Event id (see `stockroom webhooks deliveries`)",
      required: true,
    },
  },
  async run({ args, client, out }) {
    const d = await client.webhooks.retry({ id: args.id, eventId: args.event });
    out.result(d, () => out.line(`Delivery of ${d.eventId} is ${d.status}, due ${d.nextAttemptAt}`));
  },
});
