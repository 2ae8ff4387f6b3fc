import { pagingArgs, pagingFrom } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { footer } from "../products/list";
import { isStatus, reservationColumns, STATUSES } from "./columns";

export default defineApiCommand({
  meta: { name: "list", description: "List reservations, newest first" },
  args: {
    store: { type: "string", description: "Only this store", valueHint: "id" },
    status: { type: "string", description: `Only this status: ${STATUSES.join(", ")}` },
    reference: { type: "string", description: "Only this reference (exact)", valueHint: "text" },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const status = args.status;
    if (status !== undefined && !isStatus(status))
      throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got '${status}'`);
    const page = await client.reservations.list({
      storeId: args.store,
      status,
      reference: args.reference,
      ...pagingFrom(args),
    });
    out.result(page, () => {
      out.table(page.items, reservationColumns);
      footer(out, page);
    });
  },
});
