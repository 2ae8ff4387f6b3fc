import {
  applyStockOperations,
  type Db,
  type Queryable,
  type StockOperation,
  writeEvents,
} from "@stockroom/db";
import { AppError, notFound } from "../errors";
import type { TReservation, TReservationStatus } from "../routers/reservations/reservation.types";
import { isoOf, Statement } from "./named";
import { offsetPage } from "./paging";
import { commitOperation, lapseChange, RESERVATION_SQL, takeOperation } from "./reservation-sql";
import type { StockDoor } from "./stock";

/**
 * Reservations hold units of one store for a cart or an order. The holds themselves (the
 * level's `reserved`, the lines' open flag) change only through the one door
 * (sql/stock-apply.sql): `take` when created, `drop` when committed or released, `lapse` when
 * the sweeper expires them. This file keeps the reservation's own row: its status, expiry
 * and what was committed.
 *
 * Lock order: a transition locks the reservation row first, then (through the door) its
 * levels, then its lines. Writers that do not know the reservation (a sale, a transfer) lock
 * levels then lines, and never a reservation row, so the orders cannot cross.
 */

// The statements and the door's operations are in reservation-sql.ts (the bench's pgbench
// scripts are written from them too).

interface ReservationRow {
  id: string;
  store_id: string;
  status: TReservationStatus;
  reference: string | null;
  expires_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
  lines: string | TReservation["lines"];
}

/** THE reservation mapper. */
const toReservation = (r: ReservationRow): TReservation => ({
  id: r.id,
  storeId: r.store_id,
  status: r.status,
  lines: typeof r.lines === "string" ? JSON.parse(r.lines) : r.lines,
  reference: r.reference,
  expiresAt: isoOf(r.expires_at),
  createdAt: isoOf(r.created_at),
  updatedAt: isoOf(r.updated_at),
});

export interface UnitsLine {
  productId: string;
  quantity: number;
}

/** Lines naming the same product, summed (in first-seen order). */
export function sumLines(lines: UnitsLine[]): UnitsLine[] {
  const byProduct = new Map<string, number>();
  for (const l of lines) byProduct.set(l.productId, (byProduct.get(l.productId) ?? 0) + l.quantity);
  return [...byProduct].map(([productId, quantity]) => ({ productId, quantity }));
}

export async function getReservation(db: Queryable, id: string): Promise<TReservation> {
  const st = new Statement();
  const [row] = await st.rows<ReservationRow>(db, RESERVATION_SQL.get(st.p, id));
  if (!row) throw notFound("Reservation", id);
  return toReservation(row);
}

export type ReservationEventType =
  | "reservation.created"
  | "reservation.committed"
  | "reservation.released"
  | "reservation.expired";

/** The reservations' events (the reservation as reads answer it), in the caller's transaction. */
function reservationEvents(db: Queryable, type: ReservationEventType, list: TReservation[]) {
  return writeEvents(
    db,
    list.map((r) => ({ type, data: r, storeId: r.storeId })),
  );
}

/** Reads the reservation after a transition and writes its event. */
async function reported(db: Queryable, type: ReservationEventType, id: string): Promise<TReservation> {
  const r = await getReservation(db, id);
  await reservationEvents(db, type, [r]);
  return r;
}

export interface CreateReservationInput {
  storeId: string;
  lines: UnitsLine[];
  ttlSeconds: number;
  reference?: string | null;
}

/** Holds every line's units, or none: the first short line refuses the whole reservation. */
export async function createReservation(
  db: Queryable,
  door: StockDoor,
  input: CreateReservationInput,
  actor: string | null,
): Promise<TReservation> {
  const id = crypto.randomUUID();
  const st = new Statement();
  const [head] = await st.rows<{ expires_at: Date | string }>(
    db,
    RESERVATION_SQL.insert(st.p, {
      id,
      reference: input.reference ?? null,
      ttlSeconds: input.ttlSeconds,
      actor,
      storeId: input.storeId,
    }),
  );
  if (!head) throw notFound("Store", input.storeId);
  await door(
    takeOperation({
      id,
      storeId: input.storeId,
      lines: sumLines(input.lines),
      expiresAt: isoOf(head.expires_at),
      reference: input.reference,
      actor,
    }),
  );
  return reported(db, "reservation.created", id);
}

interface LockedReservation {
  id: string;
  storeId: string;
  reference: string | null;
  lines: Array<{ productId: string; quantity: number }>;
}

/** Locks the reservation's row; refuses unless it is active and has not expired. */
async function lockActive(db: Queryable, id: string): Promise<LockedReservation> {
  const st = new Statement();
  const [row] = await st.rows<{
    store_id: string;
    status: TReservationStatus;
    reference: string | null;
    expires_at: Date | string;
  }>(db, RESERVATION_SQL.lock(st.p, id));
  if (!row) throw notFound("Reservation", id);
  if (row.status !== "active")
    throw new AppError(
      "RESERVATION_NOT_ACTIVE",
      row.status === "expired"
        ? `Reservation ${id} expired at ${isoOf(row.expires_at)}; it holds nothing`
        : `Reservation ${id} is ${row.status}`,
    );
  const lines = new Statement();
  const held = await lines.rows<{ product_id: string; quantity: number }>(
    db,
    RESERVATION_SQL.heldLines(lines.p, id),
  );
  return {
    id,
    storeId: row.store_id,
    reference: row.reference,
    lines: held.map((l) => ({ productId: l.product_id, quantity: Number(l.quantity) })),
  };
}

async function setStatus(db: Queryable, id: string, status: TReservationStatus) {
  const st = new Statement();
  await st.rows(db, RESERVATION_SQL.setStatus(st.p, id, status));
}

/**
 * Sells held units: each line leaves on hand with a ledger row (adjustment, sold, carrying the
 * reservation id). `lines` may sell fewer units than held (never more); the rest is released.
 */
export async function commitReservation(
  db: Queryable,
  door: StockDoor,
  id: string,
  sell: UnitsLine[] | undefined,
  actor: string | null,
): Promise<TReservation> {
  const r = await lockActive(db, id);
  const held = new Map(r.lines.map((l) => [l.productId, l.quantity]));
  const sold = new Map(r.lines.map((l) => [l.productId, l.quantity]));
  if (sell) {
    sold.clear();
    for (const l of sumLines(sell)) {
      const h = held.get(l.productId) ?? 0;
      if (l.quantity > h)
        throw new AppError(
          "OVER_COMMIT",
          `Reservation ${id} holds ${h} units of product ${l.productId}; cannot commit ${l.quantity}`,
        );
      sold.set(l.productId, l.quantity);
    }
  }
  await door(
    commitOperation({ id, storeId: r.storeId, lines: r.lines, sold, reference: r.reference, actor }),
  );
  const st = new Statement();
  await st.rows(
    db,
    RESERVATION_SQL.committedLines(
      st.p,
      id,
      r.lines.map((l) => l.productId),
      r.lines.map((l) => sold.get(l.productId) ?? 0),
    ),
  );
  await setStatus(db, id, "committed");
  return reported(db, "reservation.committed", id);
}

/** Gives the held units back to available: a commit that sells nothing. */
export async function releaseReservation(db: Queryable, door: StockDoor, id: string, actor: string | null) {
  const r = await lockActive(db, id);
  await door(
    commitOperation({ id, storeId: r.storeId, lines: r.lines, sold: new Map(), reference: null, actor }),
  );
  await setStatus(db, id, "released");
  return reported(db, "reservation.released", id);
}

/** Moves the expiry to `ttlSeconds` from now. */
export async function extendReservation(
  db: Queryable,
  id: string,
  ttlSeconds: number,
): Promise<TReservation> {
  const r = await lockActive(db, id);
  const head = new Statement();
  const [moved] = await head.rows<{ expires_at: Date | string }>(
    db,
    RESERVATION_SQL.extend(head.p, id, ttlSeconds),
  );
  // A line a writer closed meanwhile (it saw the old expiry pass) is not open any more: then
  // the reservation has expired after all, and extending it would hold nothing.
  const st = new Statement();
  const still = await st.rows(db, RESERVATION_SQL.extendLines(st.p, id, moved!.expires_at));
  if (still.length < r.lines.length)
    throw new AppError("RESERVATION_NOT_ACTIVE", `Reservation ${id} expired; it holds nothing`);
  return getReservation(db, id);
}

export interface ReservationListInput {
  storeId?: string;
  status?: TReservationStatus;
  reference?: string;
  limit: number;
  offset: number;
}

/** Newest first. */
export async function listReservations(db: Queryable, input: ReservationListInput) {
  const st = new Statement();
  const where: string[] = [];
  if (input.storeId !== undefined) where.push(`r.store_id = ${st.p(input.storeId)}`);
  if (input.reference !== undefined) where.push(`r.reference = ${st.p(input.reference)}`);
  if (input.status !== undefined) where.push(RESERVATION_SQL.statusIs(st.p, input.status));
  return offsetPage(db, {
    from: "reservations r",
    select: RESERVATION_SQL.select,
    filters: st,
    where,
    order: "r.created_at desc, r.id desc",
    limit: input.limit,
    offset: input.offset,
    map: toReservation,
  });
}

/**
 * The sweeper: turns reservations whose expiry passed from active to expired, once each, and
 * closes what they still held (a write on their levels may have closed some lines already).
 * Rows another replica is expiring are skipped. Answers how many it expired.
 */
export async function expireDueReservations(db: Db, limit = 200): Promise<number> {
  return db.transaction(async (tx) => {
    const st = new Statement();
    const due = await st.rows<{ id: string; store_id: string }>(
      tx,
      `select r.id, r.store_id from reservations r
        where r.status = 'active' and r.expires_at <= now()
        order by r.expires_at limit ${st.p(limit)} for update skip locked`,
    );
    if (due.length === 0) return 0;
    const ids = due.map((d) => d.id);
    const linesSt = new Statement();
    const open = await linesSt.rows<{ reservation_id: string; product_id: string; store_id: string }>(
      tx,
      `select reservation_id, product_id, store_id from reservation_lines
        where reservation_id = any(${linesSt.p(ids)}::uuid[]) and open`,
    );
    const ops = new Map<string, StockOperation>();
    for (const l of open) {
      const op = ops.get(l.reservation_id) ?? [];
      op.push(lapseChange({ reservationId: l.reservation_id, productId: l.product_id, storeId: l.store_id }));
      ops.set(l.reservation_id, op);
    }
    await applyStockOperations(tx, [...ops.values()]);
    const done = new Statement();
    await done.rows(
      tx,
      `update reservations set status = 'expired', updated_at = now() where id = any(${done.p(ids)}::uuid[])`,
    );
    // Once each: only this transaction turned these rows from active to expired.
    const read = new Statement();
    const expired = await read.rows<ReservationRow>(
      tx,
      `${RESERVATION_SQL.select} where r.id = any(${read.p(ids)}::uuid[]) order by r.expires_at, r.id`,
    );
    await reservationEvents(tx, "reservation.expired", expired.map(toReservation));
    return due.length;
  });
}
