import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: { name: "test", description: "Send a webhook.test event to one endpoint" },
  args: {
    id: { type: "positional", description: "Endpoint id (see `stockroom webhooks list`)", required: true },
  },
  async run({ args, client, out }) {
    const sent = await client.webhooks.test({ id: args.id });
    out.result(sent, () => {
      out.line(`Queued test event ${sent.eventId} (sequence ${sent.sequence})`);
      out.note(`Follow it with: stockroom webhooks deliveries ${args.id}`);
    });
  },
});
