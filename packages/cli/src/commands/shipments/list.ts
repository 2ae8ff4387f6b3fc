import { pagingArgs, pagingFrom } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { resolveProductId } from "../../lib/resolve";
import { footer } from "../products/list";
import { isStatus, STATUSES, shipmentColumns } from "./columns";

export default defineApiCommand({
  meta: { name: "list", description: "List shipments, newest first" },
  args: {
    from: { type: "string", description: "Only those leaving this store", valueHint: "store" },
    to: { type: "string", description: "Only those going to this store", valueHint: "store" },
    status: { type: "string", description: `Only this status: ${STATUSES.join(", ")}` },
    product: { type: "string", description: "Only those with a line of this product", valueHint: "id|sku" },
    reference: { type: "string", description: "Only this reference (exact)", valueHint: "text" },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const status = args.status;
    if (status !== undefined && !isStatus(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got '${status}'`);
    const page = await client.shipments.list({
      sourceStoreId: args.from,
      targetStoreId: args.to,
      status,
      productId: args.product ? await resolveProductId(client, args.product) : undefined,
      reference: args.reference,
      ...pagingFrom(args),
    });
    out.result(page, () => {
      out.table(page.items, shipmentColumns);
      footer(out, page);
    });
  },
});
