import { defineApiCommand } from "../lib/command";
import { CliFailure } from "../lib/exit";

export default defineApiCommand({
  meta: {
    name: "audit",
    description:
      "Check stock levels against the ledger: those changed since the last clean audit, or all (admin)",
  },
  args: {
    full: {
      type: "boolean",
      description: "Recheck every level, not only those with movements since the last audit",
    },
  },
  async run({ args, client, out }) {
    const report = await client.inventory.audit(args.full ? { full: true } : undefined);
    out.result(report, () => {
      const scope =
        report.mode === "full"
          ? "every stock level"
          : `the levels with movements after seq ${report.checkedFromSeq} (up to ${report.checkedToSeq})`;
      out.line(
        `Checked ${report.checkedLevels} stock levels, ${scope}: ${report.discrepancies.length} discrepancies. Verified up to seq ${report.watermark}.`,
      );
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
