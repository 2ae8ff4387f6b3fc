import type { RouterInputs, RouterOutputs, StockroomClient } from "@stockroom/sdk";
import type { Column, Output } from "../../lib/output";
import { skusById } from "../../lib/resolve";

export type Shipment = RouterOutputs["shipments"]["get"];
type Status = NonNullable<NonNullable<RouterInputs["shipments"]["list"]>["status"]>;
// Checked both ways against the API's type: a status added or dropped there breaks this line.
export const STATUSES = [
  "draft",
  "in_transit",
  "partially_received",
  "received",
  "cancelled",
  "closed",
] as const satisfies readonly Status[];
type Exhaustive = Exclude<Status, (typeof STATUSES)[number]> extends never ? true : never;
const exhaustive: Exhaustive = true;
void exhaustive;

type LineCount = "quantity" | "received" | "rejected" | "lost" | "inTransit";
/** One count over all lines of a shipment. */
export const totalUnits = (s: Shipment, field: LineCount) => s.lines.reduce((n, l) => n + l[field], 0);

export const shipmentColumns: Column<Shipment>[] = [
  { header: "id", value: (s) => s.id },
  { header: "from", value: (s) => s.sourceStoreId },
  { header: "to", value: (s) => s.targetStoreId },
  { header: "status", value: (s) => s.status },
  { header: "lines", value: (s) => s.lines.length, align: "right" },
  { header: "units", value: (s) => totalUnits(s, "quantity"), align: "right" },
  { header: "in transit", value: (s) => totalUnits(s, "inTransit"), align: "right" },
  { header: "reference", value: (s) => s.reference },
  { header: "created", value: (s) => s.createdAt },
];

/**
 * One shipment for people: its fields, its lines by sku (where the product can be read) with
 * what was shipped, received, rejected, lost and is still in transit, then its receipts.
 */
export async function printShipment(client: StockroomClient, out: Output, s: Shipment, heading?: string) {
  if (out.jsonMode) {
    out.json(s);
    return;
  }
  const skus = await skusById(
    client,
    s.lines.map((l) => l.productId),
  );
  const sku = (productId: string) => skus.get(productId) ?? productId;
  if (heading) out.line(heading);
  out.record({ ...s, from: s.sourceStoreId, to: s.targetStoreId }, [
    "id",
    "from",
    "to",
    "status",
    "reference",
    "createdAt",
    "shippedAt",
    "closedAt",
    ...(s.closeReason === null ? [] : ["closeReason"]),
  ]);
  out.line();
  out.table(s.lines, [
    { header: "sku", value: (l) => sku(l.productId) },
    { header: "shipped", value: (l) => l.quantity, align: "right" },
    { header: "received", value: (l) => l.received, align: "right" },
    { header: "rejected", value: (l) => l.rejected, align: "right" },
    { header: "lost", value: (l) => l.lost, align: "right" },
    { header: "in transit", value: (l) => l.inTransit, align: "right" },
    { header: "product", value: (l) => l.productId },
  ]);
  if (s.receipts.length === 0) return;
  out.line();
  out.line("Receipts:");
  out.table(
    s.receipts.flatMap((r) => r.lines.map((l) => ({ ...l, receiptId: r.receiptId, createdAt: r.createdAt }))),
    [
      { header: "receipt", value: (r) => r.receiptId },
      { header: "time", value: (r) => r.createdAt },
      { header: "sku", value: (r) => sku(r.productId) },
      { header: "accepted", value: (r) => r.accepted, align: "right" },
      { header: "rejected", value: (r) => r.rejected, align: "right" },
      { header: "reason", value: (r) => r.reason },
    ],
  );
}
