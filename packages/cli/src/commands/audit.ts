import { defineApiCommand } from "../lib/command";
import { CliFailure } from "../lib/exit";

export default defineApiCommand({
  meta: {
    name: "audit",
    description:
      "Check stock levels against the ledger (those changed since the last clean audit, or all), reserved units against open reservations and incoming units against shipments in transit (admin)",
  },
  args: {
    full: {
      type: "boolean",
      description: "Recheck every level, not only those with movements since the last audit",
    },
  },
  async run({ args, client, out }) {
    const report = await client.inventory.audit(args.full ? { full: true } : undefined);
    const { discrepancies, reservedDiscrepancies, incomingDiscrepancies } = report;
    out.result(report, () => {
      const scope =
        report.mode === "full"
          ? "every stock level"
          : `the levels with movements after seq ${report.checkedFromSeq} (up to ${report.checkedToSeq})`;
      out.line(
        `Checked ${report.checkedLevels} stock levels, ${scope}: ${discrepancies.length} discrepancies, ${reservedDiscrepancies.length} reserved mismatches, ${incomingDiscrepancies.length} incoming mismatches. Verified up to seq ${report.watermark}.`,
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
      if (incomingDiscrepancies.length > 0)
        out.table(incomingDiscrepancies, [
          { header: "store", value: (d) => d.storeId },
          { header: "product", value: (d) => d.productId },
          { header: "incoming", value: (d) => d.incoming, align: "right" },
          { header: "in transit by shipments", value: (d) => d.inTransit, align: "right" },
        ]);
    });
    if (discrepancies.length > 0 || reservedDiscrepancies.length > 0 || incomingDiscrepancies.length > 0)
      throw new CliFailure(
        "AUDIT_MISMATCH",
        `${discrepancies.length} stock levels differ from their ledger, ${reservedDiscrepancies.length} from their open reservations, ${incomingDiscrepancies.length} from their shipments in transit`,
        {
          hint: "A level disagrees with its movements, its reservations or its shipments; investigate before changing stock.",
        },
      );
  },
});
