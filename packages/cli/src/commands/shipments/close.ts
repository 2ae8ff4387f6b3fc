import { requireString, shipmentArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printShipment, totalUnits } from "./columns";

export default defineApiCommand({
  meta: {
    name: "close",
    description:
      "End a shipment on its way: units still in transit are written off as lost; received units stay",
  },
  args: {
    ...shipmentArg,
    reason: {
      type: "string",
      description: "Why it is closed (recorded on the shipment)",
      required: true,
      valueHint: "text",
    },
  },
  async run({ args, client, out }) {
    const s = await client.shipments.close({ id: args.id, reason: requireString(args.reason, "--reason") });
    await printShipment(client, out, s, `Closed: ${totalUnits(s, "lost")} units written off as lost`);
  },
});
