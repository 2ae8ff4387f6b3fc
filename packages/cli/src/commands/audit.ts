import { defineApiCommand } from "../lib/command";
import { CliFailure } from "../lib/exit";

export default defineApiCommand({
  meta: { name: "audit", description: "Recompute every stock level from the ledger (admin)" },
  async run({ client, out }) {
    const report = await client.inventory.audit();
    out.result(report, () => {
      out.line(`Checked ${report.checkedLevels} stock levels: ${report.discrepancies.length} discrepancies.`);
      if (report.discrepancies.length === 0) return;
      out.table(report.discrepancies, [
        { header: "store", value: (d) => d.storeId },
        { header: "product", value: (d) => d.productId },
        { header: "quantity", value: (d) => d.quantity, align: "right" },
        { header: "ledger sum", value: (d) => d.ledgerSum, align: "right" },
      ]);
    });
    if (report.discrepancies.length > 0)
      throw new CliFailure(
        "AUDIT_MISMATCH",
        `${report.discrepancies.length} stock levels differ from their ledger`,
        {
          hint: "A level disagrees with the sum of its movements; investigate before changing stock.",
        },
      );
  },
});
