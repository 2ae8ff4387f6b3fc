import { pagingArgs, pagingFrom, parseChoiceArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { footer } from "../products/list";
import { reservationColumns, STATUSES } from "./columns";

export default defineApiCommand({
  meta: { name: "list", description: "List reservations, newest first" },
  args: {
    store: { type: "string", description: "Only this store", valueHint: "id" },
    status: { type: "string", description: `Only this status: ${STATUSES.join(", ")}` },
    reference: { type: "string", description: "Only this reference (exact)", valueHint: "text" },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const status = parseChoiceArg(args.status, "--status", STATUSES);
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
