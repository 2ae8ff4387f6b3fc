import { createReadStream } from "node:fs";
import { isStockroomError, type StockroomClient } from "@stockroom/sdk";
import { linesArg, parseLinesWith, repeatedOption, requireString, shipmentArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { CliFailure, UsageError } from "../../lib/exit";
import { assertReadableFile } from "../../lib/files";
import { colors, renderTable } from "../../lib/output";
import { resolveProductId, resolveProductIds } from "../../lib/resolve";
import { printShipment, totalUnits } from "./columns";
import { parseReceivedUnits, type ReceivedUnits, receiptLines } from "./lines";
import { RECEIPT_COLUMNS, type ReceiptCsv, type RowProblem, readReceiptCsv } from "./receipt-csv";

// A shipment has at most 500 lines, so a receipt naming more products cannot be right.
const MAX_PRODUCTS = 500;

type Units = ReceivedUnits & { productId: string };

/** Each sku of the file resolved to its product; an unknown sku is a problem on every line naming it. */
async function resolveCsv(client: StockroomClient, csv: ReceiptCsv): Promise<Units[]> {
  const found = await Promise.allSettled(csv.skus.map((s) => resolveProductId(client, s.sku)));
  const problems: RowProblem[] = [...csv.problems];
  const units: Units[] = [];
  found.forEach((r, i) => {
    const s = csv.skus[i]!;
    if (r.status === "fulfilled") units.push({ ...s, productId: r.value });
    else if ((r.reason instanceof CliFailure || isStockroomError(r.reason)) && r.reason.code === "NOT_FOUND")
      for (const line of s.lines) problems.push({ line, sku: s.sku, detail: `unknown sku ${s.sku}` });
    else throw r.reason;
  });
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line);
    // One problem fits the error line; more go to stderr as a table, one row each.
    if (problems.length > 1)
      process.stderr.write(
        `${renderTable(
          problems,
          [
            { header: "line", value: (p) => p.line, align: "right" },
            { header: "sku", value: (p) => p.sku },
            { header: "problem", value: (p) => p.detail },
          ],
          colors(process.stderr),
        )}\n`,
      );
    const first = problems[0]!;
    throw new CliFailure(
      "BAD_RECEIPT_CSV",
      problems.length === 1
        ? `line ${first.line} of the file: ${first.detail}`
        : `${problems.length} rows of the file cannot be booked, the first on line ${first.line}: ${first.detail}`,
      { hint: "Nothing was received. Fix the file and run the same command again." },
    );
  }
  return units;
}

export default defineApiCommand({
  meta: {
    name: "receive",
    description: `Book a delivery of a shipment at the target's dock: accepted units join its stock, rejected ones leave the system with a reason. The same --receipt again changes nothing and answers the first result, so a receipt can be sent again safely. With --csv (header ${RECEIPT_COLUMNS.join(",")}; rows of one sku are summed, empty counts are 0) the receipt id defaults to csv-<first 16 hex of the file's sha256>: running the same file again is a safe replay`,
  },
  args: {
    ...shipmentArg,
    receipt: {
      type: "string",
      description:
        "Your id of this delivery (dock scan, delivery note), 1..255 characters; required with --line, derived from the file with --csv",
      valueHint: "receiptId",
    },
    ...linesArg(
      "Units that arrived: accepted, or accepted/rejected",
      "accepted[/rejected]",
      "--line HAM-16=20/1 --line WIRE=5, or --line HAM-16=20/1,WIRE=5",
    ),
    csv: {
      type: "string",
      description: `A dock's CSV with header ${RECEIPT_COLUMNS.join(",")} ('-' for stdin), instead of --line`,
      valueHint: "file",
    },
    reason: {
      type: "string",
      description: "Why units were rejected, for lines (or CSV rows) that give no reason",
      valueHint: "text",
    },
  },
  async run({ args, rawArgs, client, out }) {
    const given = repeatedOption(rawArgs, "line");
    if (given.length > 0 && args.csv !== undefined) throw new UsageError("Give --line or --csv, not both");
    let units: Units[];
    let receiptId: string;
    if (args.csv !== undefined) {
      const file = requireString(args.csv, "--csv");
      if (file !== "-") await assertReadableFile(file);
      const csv = await readReceiptCsv(file === "-" ? process.stdin : createReadStream(file));
      units = await resolveCsv(client, csv);
      receiptId = args.receipt ?? `csv-${csv.sha256.slice(0, 16)}`;
    } else {
      if (given.length === 0)
        throw new UsageError("Give --line <product>=<accepted>[/<rejected>] or --csv <file>");
      receiptId = requireString(args.receipt, "--receipt");
      const parsed = parseLinesWith(given, "--line", parseReceivedUnits, {
        name: "accepted[/rejected]",
        example: "20/1",
      });
      const ids = await resolveProductIds(
        client,
        parsed.map((l) => l.product),
      );
      units = parsed.map((l, i) => ({ ...l, productId: ids[i]! }));
    }
    const lines = receiptLines(units, args.reason);
    if (lines.length === 0)
      throw new UsageError("Nothing to receive: every line has 0 accepted and 0 rejected");
    if (lines.length > MAX_PRODUCTS)
      throw new UsageError(
        `A receipt names at most ${MAX_PRODUCTS} products (a shipment's most), got ${lines.length}`,
      );

    // Only to tell people a replay from a new receipt; the server decides either way.
    const before = await client.shipments.get({ id: args.id });
    const earlier = before.receipts.find((r) => r.receiptId === receiptId);
    const s = await client.shipments.receive({ id: args.id, receiptId, lines });
    if (earlier)
      out.note(`Receipt ${receiptId} was booked at ${earlier.createdAt}; sent again, it changed nothing.`);
    const accepted = lines.reduce((n, l) => n + l.accepted, 0);
    const rejected = lines.reduce((n, l) => n + (l.rejected ?? 0), 0);
    await printShipment(
      client,
      out,
      s,
      earlier
        ? `Receipt ${receiptId} (already booked): status ${s.status}`
        : `Received at ${s.targetStoreId} (receipt ${receiptId}): ${accepted} accepted, ${rejected} rejected; ${totalUnits(s, "inTransit")} still in transit, status ${s.status}`,
    );
  },
});
