import { linesArg, parseLines, repeatedOption, reservationArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { resolveProductIds } from "../../lib/resolve";
import { printReservation } from "./columns";

export default defineApiCommand({
  meta: {
    name: "commit",
    description:
      "Sell what a reservation holds (ledger: adjustment, reason sold); with --line, sell only those units and release the rest",
  },
  args: {
    ...reservationArg,
    ...linesArg("Units to sell, at most what is held (OVER_COMMIT otherwise); products left out sell none"),
  },
  async run({ args, rawArgs, client, out }) {
    const lines = parseLines(repeatedOption(rawArgs, "line"), "--line");
    const ids = await resolveProductIds(
      client,
      lines.map((l) => l.product),
    );
    const r = await client.reservations.commit({
      id: args.id,
      lines:
        lines.length > 0 ? lines.map((l, i) => ({ productId: ids[i]!, quantity: l.quantity })) : undefined,
    });
    const sold = r.lines.reduce((n, l) => n + (l.committed ?? 0), 0);
    const held = r.lines.reduce((n, l) => n + l.quantity, 0);
    await printReservation(
      client,
      out,
      r,
      `Committed: ${sold} sold from ${r.storeId}${held > sold ? `, ${held - sold} released` : ""}`,
    );
  },
});
