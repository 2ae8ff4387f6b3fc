import { type Queryable, type StockChange, type StockOperation, writeEvents } from "@stockroom/db";
import { AppError, notFound } from "../errors";
import type { TReceiptLine, TShipment, TShipmentStatus } from "../routers/shipments/shipment.types";
import { isoOf, Statement } from "./named";
import { offsetPage } from "./paging";
import type { StockDoor } from "./stock";
import { assertDistinctStores } from "./stock/refusals";

/**
 * Shipments: transfers that take time. The levels change only through the one door
 * (sql/stock-apply.sql): shipping takes every line out of the source's available stock
 * (ledger transfer_out, shipmentId set) and adds it to the target's `incoming`; a receipt moves
 * units from `incoming` into the target's on hand (transfer_in) or out of the system
 * (rejected); closing writes off what is still in transit (lost). This file keeps the
 * shipment's own record: its status, its lines' counts and its receipts.
 *
 * Lock order: a transition locks the shipment's row first, then (through the door) the levels.
 * Other writers never lock a shipment row, so the orders cannot cross. Concurrent receipts of
 * one shipment queue on its row, so each judges its lines against what the ones before it
 * left: accepted + rejected never exceeds what was shipped.
 */

const SELECT_SHIPMENT = `select s.id, s.source_store_id, s.target_store_id, s.status, s.reference, s.close_reason,
    s.created_at, s.shipped_at, s.closed_at, s.updated_at,
    coalesce((select json_agg(json_build_object('productId', x.product_id, 'quantity', x.quantity,
                'received', x.received, 'rejected', x.rejected, 'lost', x.lost) order by x.product_id)
              from shipment_lines x where x.shipment_id = s.id), '[]') as lines,
    coalesce((select json_agg(json_build_object('receiptId', r.receipt_id, 'lines', r.lines,
                'createdAt', r.created_at) order by r.created_at, r.receipt_id)
              from shipment_receipts r where r.shipment_id = s.id), '[]') as receipts
  from shipments s`;

interface LineCounts {
  productId: string;
  quantity: number;
  received: number;
  rejected: number;
  lost: number;
}

interface ShipmentRow {
  id: string;
  source_store_id: string;
  target_store_id: string;
  status: TShipmentStatus;
  reference: string | null;
  close_reason: string | null;
  created_at: Date | string;
  shipped_at: Date | string | null;
  closed_at: Date | string | null;
  updated_at: Date | string;
  lines: string | LineCounts[];
  receipts: string | Array<{ receiptId: string; lines: TReceiptLine[]; createdAt: string }>;
}

const json = <T>(v: string | T): T => (typeof v === "string" ? JSON.parse(v) : v);

/** Units of a line still on their way: none before it leaves or after the shipment ends. */
const inTransit = (status: TShipmentStatus, l: LineCounts) =>
  status === "draft" || status === "cancelled" ? 0 : l.quantity - l.received - l.rejected - l.lost;

/** THE shipment mapper. */
const toShipment = (r: ShipmentRow): TShipment => ({
  id: r.id,
  sourceStoreId: r.source_store_id,
  targetStoreId: r.target_store_id,
  status: r.status,
  lines: json(r.lines).map((l) => ({ ...l, inTransit: inTransit(r.status, l) })),
  receipts: json(r.receipts).map((x) => ({ ...x, createdAt: isoOf(x.createdAt) })),
  reference: r.reference,
  closeReason: r.close_reason,
  createdAt: isoOf(r.created_at),
  shippedAt: r.shipped_at === null ? null : isoOf(r.shipped_at),
  closedAt: r.closed_at === null ? null : isoOf(r.closed_at),
  updatedAt: isoOf(r.updated_at),
});

export async function getShipment(db: Queryable, id: string): Promise<TShipment> {
  const st = new Statement();
  const [row] = await st.rows<ShipmentRow>(db, `${SELECT_SHIPMENT} where s.id = ${st.p(id)}`);
  if (!row) throw notFound("Shipment", id);
  return toShipment(row);
}

export interface CreateShipmentInput {
  sourceStoreId: string;
  targetStoreId: string;
  lines: Array<{ productId: string; quantity: number }>;
  reference?: string | null;
}

type ShipmentEventType = "shipment.shipped" | "shipment.received" | "shipment.cancelled" | "shipment.closed";

/**
 * Reads the shipment after a step and writes its event in the same transaction (the outbox):
 * the shipment as reads answer it, and for a receipt the receipt's id. The event is the
 * source's while nothing has left it (shipped, cancelled), the target's after.
 */
async function reported(
  db: Queryable,
  type: ShipmentEventType,
  id: string,
  receiptId: string | null = null,
): Promise<TShipment> {
  const s = await getShipment(db, id);
  const storeId =
    type === "shipment.shipped" || type === "shipment.cancelled" ? s.sourceStoreId : s.targetStoreId;
  await writeEvents(db, [{ type, storeId, data: { ...s, receiptId } }]);
  return s;
}

/** A draft: it names what will leave, and holds nothing. */
export async function createShipment(
  db: Queryable,
  input: CreateShipmentInput,
  actor: string | null,
): Promise<TShipment> {
  assertDistinctStores(input.sourceStoreId, input.targetStoreId);
  const id = crypto.randomUUID();
  const productIds = input.lines.map((l) => l.productId);
  const st = new Statement();
  const [found] = await st.rows<{ stores: string[] | null; products: string[] | null }>(
    db,
    `select (select array_agg(id) from stores
              where id in (${st.p(input.sourceStoreId)}, ${st.p(input.targetStoreId)}) and deleted_at is null) as stores,
            (select array_agg(id) from products
              where id = any(${st.p(productIds)}::uuid[]) and deleted_at is null) as products`,
  );
  for (const store of [input.sourceStoreId, input.targetStoreId])
    if (!found?.stores?.includes(store)) throw notFound("Store", store);
  const missing = productIds.find((p) => !found?.products?.includes(p));
  if (missing) throw notFound("Product", missing);
  const head = new Statement();
  await head.rows(
    db,
    `insert into shipments (id, source_store_id, target_store_id, reference, actor)
     values (${head.p(id)}, ${head.p(input.sourceStoreId)}, ${head.p(input.targetStoreId)},
             ${head.p(input.reference ?? null)}, ${head.p(actor)})`,
  );
  const lines = new Statement();
  await lines.rows(
    db,
    `insert into shipment_lines (shipment_id, product_id, quantity)
     select ${lines.p(id)}, v.p, v.q from unnest(${lines.p(productIds)}::uuid[], ${lines.p(
       input.lines.map((l) => l.quantity),
     )}::int[]) as v(p, q)`,
  );
  return getShipment(db, id);
}

const ACTIONS_ALLOWED: Record<string, readonly TShipmentStatus[]> = {
  ship: ["draft"],
  cancel: ["draft"],
  // A received shipment has nothing left in transit: more units are an over-receipt (422).
  receive: ["in_transit", "partially_received", "received"],
  close: ["in_transit", "partially_received"],
};

/** Locks the shipment's row (a transition's first lock) and answers it as it is now. */
async function lock(db: Queryable, id: string): Promise<TShipment> {
  const st = new Statement();
  const [row] = await st.rows<{ id: string }>(
    db,
    `select id from shipments where id = ${st.p(id)} for update`,
  );
  if (!row) throw notFound("Shipment", id);
  return getShipment(db, id);
}

/** Refuses an action the shipment's status does not allow, naming both. */
function allow(s: TShipment, action: keyof typeof ACTIONS_ALLOWED) {
  const allowed = ACTIONS_ALLOWED[action]!;
  if (!allowed.includes(s.status))
    throw new AppError(
      "INVALID_STATE",
      `Shipment ${s.id} is ${s.status}; ${action} needs a shipment that is ${allowed.slice(0, -1).join(", ")}${allowed.length > 1 ? " or " : ""}${allowed.at(-1)}`,
    );
}

async function setStatus(db: Queryable, id: string, status: TShipmentStatus, extra = "") {
  const st = new Statement();
  await st.rows(
    db,
    `update shipments set status = ${st.p(status)}, updated_at = now() ${extra} where id = ${st.p(id)}`,
  );
}

/** A change of the target's level for one line: units arriving or leaving transit. */
const targetChange = (
  s: TShipment,
  productId: string,
  c: { accepted?: number; transit: number; actor: string | null },
): StockChange => ({
  productId,
  storeId: s.targetStoreId,
  kind: "transfer_in",
  delta: c.accepted ? c.accepted : undefined,
  transit: c.transit,
  shipmentId: s.id,
  reference: s.reference,
  actor: c.actor,
});

/** Every line leaves the source's available stock and becomes the target's incoming, or none does. */
export async function shipShipment(db: Queryable, door: StockDoor, id: string, actor: string | null) {
  const s = await lock(db, id);
  allow(s, "ship");
  const operation: StockOperation = s.lines.flatMap((l) => [
    {
      productId: l.productId,
      storeId: s.sourceStoreId,
      kind: "transfer_out",
      delta: -l.quantity,
      shipmentId: s.id,
      reference: s.reference,
      actor,
    } satisfies StockChange,
    targetChange(s, l.productId, { transit: l.quantity, actor }),
  ]);
  await door(operation);
  await setStatus(db, id, "in_transit", ", shipped_at = now()");
  return reported(db, "shipment.shipped", id);
}

export interface ReceiptInput {
  receiptId: string;
  lines: Array<{ productId: string; accepted: number; rejected?: number; reason?: string | null }>;
}

/** A receipt's lines as recorded and compared: product order, rejected 0 and reason null by default. */
const receiptLines = (input: ReceiptInput): TReceiptLine[] =>
  input.lines
    .map((l) => ({
      productId: l.productId,
      accepted: l.accepted,
      rejected: l.rejected ?? 0,
      reason: l.reason ?? null,
    }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));

/** Two receipts' lines (as receiptLines orders them) book the same units. */
const sameLines = (a: TReceiptLine[], b: TReceiptLine[]) =>
  a.length === b.length &&
  a.every(
    (l, i) =>
      l.productId === b[i]!.productId &&
      l.accepted === b[i]!.accepted &&
      l.rejected === b[i]!.rejected &&
      l.reason === b[i]!.reason,
  );

/**
 * Books one delivery at the target's dock: accepted units join its on hand (transfer_in),
 * rejected ones leave the system with their reason; both leave `incoming`. The same receiptId
 * again answers what the first one answered and changes nothing.
 */
export async function receiveShipment(
  db: Queryable,
  door: StockDoor,
  id: string,
  input: ReceiptInput,
  actor: string | null,
): Promise<TShipment> {
  const s = await lock(db, id);
  const lines = receiptLines(input);
  const prior = new Statement();
  const [recorded] = await prior.rows<{ lines: string | TReceiptLine[]; answer: string | TShipment }>(
    db,
    `select lines, answer from shipment_receipts
      where shipment_id = ${prior.p(id)} and receipt_id = ${prior.p(input.receiptId)}`,
  );
  if (recorded) {
    if (!sameLines(json(recorded.lines), lines))
      throw new AppError(
        "IDEMPOTENCY_KEY_REUSED",
        `Receipt ${input.receiptId} of shipment ${id} was recorded with different lines; use a new receiptId for a new delivery`,
      );
    return json(recorded.answer);
  }
  allow(s, "receive");
  const onShipment = new Map(s.lines.map((l) => [l.productId, l]));
  for (const l of lines) {
    const line = onShipment.get(l.productId);
    const open = line?.inTransit ?? 0;
    if (l.accepted + l.rejected > open)
      throw new AppError(
        "OVER_RECEIPT",
        line
          ? `Shipment ${id} has ${open} units of product ${l.productId} in transit; cannot accept ${l.accepted} and reject ${l.rejected}`
          : `Product ${l.productId} is not on shipment ${id}`,
      );
  }
  const moving = lines.filter((l) => l.accepted + l.rejected > 0);
  if (moving.length > 0) {
    await door(
      moving.map((l) =>
        targetChange(s, l.productId, { accepted: l.accepted, transit: -(l.accepted + l.rejected), actor }),
      ),
    );
    const st = new Statement();
    await st.rows(
      db,
      `update shipment_lines x set received = x.received + v.a, rejected = x.rejected + v.r
         from unnest(${st.p(moving.map((l) => l.productId))}::uuid[], ${st.p(moving.map((l) => l.accepted))}::int[],
                     ${st.p(moving.map((l) => l.rejected))}::int[]) as v(p, a, r)
        where x.shipment_id = ${st.p(id)} and x.product_id = v.p`,
    );
    const done = new Statement();
    const [left] = await done.rows<{ open: number | string }>(
      db,
      `select coalesce(sum(quantity - received - rejected - lost), 0) as open from shipment_lines
        where shipment_id = ${done.p(id)}`,
    );
    await setStatus(db, id, Number(left?.open) === 0 ? "received" : "partially_received");
  }
  // The receipt first (the answer lists it), then the answer a replay gives.
  const rec = new Statement();
  await rec.rows(
    db,
    `insert into shipment_receipts (shipment_id, receipt_id, lines, answer, actor)
     values (${rec.p(id)}, ${rec.p(input.receiptId)}, ${rec.p(JSON.stringify(lines))}::jsonb, '{}'::jsonb, ${rec.p(actor)})`,
  );
  const answer = await reported(db, "shipment.received", id, input.receiptId);
  const keep = new Statement();
  await keep.rows(
    db,
    `update shipment_receipts set answer = ${keep.p(JSON.stringify(answer))}::jsonb
      where shipment_id = ${keep.p(id)} and receipt_id = ${keep.p(input.receiptId)}`,
  );
  return answer;
}

/** A draft that will not leave. */
export async function cancelShipment(db: Queryable, id: string) {
  const s = await lock(db, id);
  allow(s, "cancel");
  await setStatus(db, id, "cancelled", ", closed_at = now()");
  return reported(db, "shipment.cancelled", id);
}

/** Ends a shipment: what is still in transit is written off as lost (it leaves `incoming`). */
export async function closeShipment(
  db: Queryable,
  door: StockDoor,
  id: string,
  reason: string,
  actor: string | null,
) {
  const s = await lock(db, id);
  allow(s, "close");
  const open = s.lines.filter((l) => l.inTransit > 0);
  if (open.length > 0) {
    await door(open.map((l) => targetChange(s, l.productId, { transit: -l.inTransit, actor })));
    const st = new Statement();
    await st.rows(
      db,
      `update shipment_lines set lost = quantity - received - rejected where shipment_id = ${st.p(id)}`,
    );
  }
  const st = new Statement();
  await st.rows(
    db,
    `update shipments set status = 'closed', close_reason = ${st.p(reason)}, closed_at = now(), updated_at = now()
      where id = ${st.p(id)}`,
  );
  return reported(db, "shipment.closed", id);
}

export interface ShipmentListInput {
  sourceStoreId?: string;
  targetStoreId?: string;
  status?: TShipmentStatus;
  productId?: string;
  reference?: string;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listShipments(db: Queryable, input: ShipmentListInput) {
  const st = new Statement();
  const where: string[] = [];
  if (input.sourceStoreId !== undefined) where.push(`s.source_store_id = ${st.p(input.sourceStoreId)}`);
  if (input.targetStoreId !== undefined) where.push(`s.target_store_id = ${st.p(input.targetStoreId)}`);
  if (input.status !== undefined) where.push(`s.status = ${st.p(input.status)}`);
  if (input.reference !== undefined) where.push(`s.reference = ${st.p(input.reference)}`);
  if (input.productId !== undefined)
    where.push(
      `exists (select 1 from shipment_lines x where x.shipment_id = s.id and x.product_id = ${st.p(input.productId)})`,
    );
  return offsetPage(db, {
    from: "shipments s",
    select: SELECT_SHIPMENT,
    filters: st,
    where,
    order: "s.created_at desc, s.id desc",
    limit: input.limit,
    offset: input.offset,
    map: toShipment,
  });
}
