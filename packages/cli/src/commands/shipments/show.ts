import { shipmentArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printShipment } from "./columns";

export default defineApiCommand({
  meta: {
    name: "show",
    description: "One shipment: its lines (shipped, received, rejected, lost, in transit) and its receipts",
  },
  args: { ...shipmentArg },
  async run({ args, client, out }) {
    await printShipment(client, out, await client.shipments.get({ id: args.id }));
  },
});
