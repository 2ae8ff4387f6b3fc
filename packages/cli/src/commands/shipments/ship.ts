import { shipmentArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printShipment, totalUnits } from "./columns";

export default defineApiCommand({
  meta: {
    name: "ship",
    description:
      "Send a draft: every line leaves the source's available stock and counts as incoming at the target, or none does (INSUFFICIENT_STOCK)",
  },
  args: { ...shipmentArg },
  async run({ args, client, out }) {
    const s = await client.shipments.ship({ id: args.id });
    await printShipment(
      client,
      out,
      s,
      `Shipped: ${totalUnits(s, "inTransit")} units in transit from ${s.sourceStoreId} to ${s.targetStoreId}`,
    );
  },
});
