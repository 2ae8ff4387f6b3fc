import { pagingArgs, pagingFrom, parseChoiceArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { resolveProductId } from "../../lib/resolve";
import { footer } from "../products/list";
import { STATUSES, shipmentColumns } from "./columns";

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
    const status = parseChoiceArg(args.status, "--status", STATUSES);
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
