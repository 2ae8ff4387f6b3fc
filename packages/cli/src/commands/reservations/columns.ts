import type { RouterInputs, RouterOutputs, StockroomClient } from "@stockroom/sdk";
import type { Column, Output } from "../../lib/output";
import { skusById } from "../../lib/resolve";

export type Reservation = RouterOutputs["reservations"]["get"];
type Status = NonNullable<NonNullable<RouterInputs["reservations"]["list"]>["status"]>;
// Checked both ways against the API's type: a status added or dropped there breaks this line.
export const STATUSES = ["active", "committed", "released", "expired"] as const satisfies readonly Status[];
type Exhaustive = Exclude<Status, (typeof STATUSES)[number]> extends never ? true : never;
const exhaustive: Exhaustive = true;
void exhaustive;

const units = (r: Reservation) => r.lines.reduce((n, l) => n + l.quantity, 0);

export const reservationColumns: Column<Reservation>[] = [
  { header: "id", value: (r) => r.id },
  { header: "store", value: (r) => r.storeId },
  { header: "status", value: (r) => r.status },
  { header: "lines", value: (r) => r.lines.length, align: "right" },
  { header: "units", value: (r) => units(r), align: "right" },
  { header: "reference", value: (r) => r.reference },
  { header: "expires", value: (r) => r.expiresAt },
];

/** One reservation for people: its fields, then its lines by sku where the product can be read. */
export async function printReservation(
  client: StockroomClient,
  out: Output,
  r: Reservation,
  heading?: string,
) {
  if (out.jsonMode) {
    out.json(r);
    return;
  }
  const skus = await skusById(
    client,
    r.lines.map((l) => l.productId),
  );
  if (heading) out.line(heading);
  out.record(r, ["id", "storeId", "status", "reference", "expiresAt", "createdAt", "updatedAt"]);
  out.line();
  out.table(r.lines, [
    { header: "sku", value: (l) => skus.get(l.productId) ?? l.productId },
    { header: "held", value: (l) => l.quantity, align: "right" },
    { header: "sold", value: (l) => l.committed, align: "right" },
    { header: "product", value: (l) => l.productId },
  ]);
}
