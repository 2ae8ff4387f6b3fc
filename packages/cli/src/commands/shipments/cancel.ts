import { shipmentArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printShipment } from "./columns";

export default defineApiCommand({
  meta: {
    name: "cancel",
    description: "Cancel a draft (nothing has moved); a shipment on its way is closed instead",
  },
  args: { ...shipmentArg },
  async run({ args, client, out }) {
    await printShipment(client, out, await client.shipments.cancel({ id: args.id }), "Cancelled");
  },
});
