import { defineApiCommand } from "../lib/command";
import { CliFailure } from "../lib/exit";

export default defineApiCommand({
  meta: {
    name: "audit",
    description:
      "Recompute every stock level from the ledger, and its reserved units from open reservations (admin)",
  },
  async run({ client, out }) {
    const report = await client.inventory.audit();
    const { discrepancies, reservedDiscrepancies } = report;
    out.result(report, () => {
      out.line(
        `Checked ${report.checkedLevels} stock levels: ${discrepancies.length} discrepancies, ${reservedDiscrepancies.length} reserved mismatches.`,
      );
      if (discrepancies.length > 0)
        out.table(discrepancies, [
          { header: "store", value: (d) => d.storeId },
          { header: "product", value: (d) => d.productId },
          { header: "quantity", value: (d) => d.quantity, align: "right" },
          { header: "ledger sum", value: (d) => d.ledgerSum, align: "right" },
        ]);
      if (reservedDiscrepancies.length > 0)
        out.table(reservedDiscrepancies, [
          { header: "store", value: (d) => d.storeId },
          { header: "product", value: (d) => d.productId },
          { header: "reserved", value: (d) => d.reserved, align: "right" },
          { header: "held by reservations", value: (d) => d.held, align: "right" },
        ]);
    });
    if (discrepancies.length > 0 || reservedDiscrepancies.length > 0)
      throw new CliFailure(
        "AUDIT_MISMATCH",
        `${discrepancies.length} stock levels differ from their ledger, ${reservedDiscrepancies.length} from their open reservations`,
        {
          hint: "A level disagrees with its movements or its reservations; investigate before changing stock.",
        },
      );
  },
});
