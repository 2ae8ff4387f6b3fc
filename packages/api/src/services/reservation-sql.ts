import type { StockChange, StockOperation } from "@stockroom/db";

/**
 * The statements of the reservation transactions and the stock changes they send through the
 * door, written once. reservations.ts runs them with a Statement's `p` (each value becomes a
 * numbered parameter); the bench's pgbench scripts (loadtest/src/pgbench-scripts.ts) write
 * them with a `p` that answers pgbench expressions, so the ceiling runs the server's own SQL.
 * A text must only ever depend on which values are present, never on the values.
 */

/** Makes the placeholder of one value: `$n` in the server, a pgbench expression in the bench. */
export type Placeholder = (value: unknown) => string;

/** The status every read answers: an active reservation past its expiry is expired already. */
const STATUS_SQL =
  "(case when r.status = 'active' and r.expires_at <= now() then 'expired' else r.status::text end)";

/**
 * An expiry `ttlSeconds` from now, in milliseconds as the API shows it: the expiry a client
 * reads is the one that applies.
 */
const expiresIn = (p: Placeholder, ttlSeconds: unknown) =>
  `date_trunc('milliseconds', now() + ${p(ttlSeconds)}::int * interval '1 second')`;

const SELECT_RESERVATION = `select r.id, r.store_id, ${STATUS_SQL} as status, r.reference, r.expires_at,
    r.created_at, r.updated_at,
    coalesce((select json_agg(json_build_object('productId', x.product_id, 'quantity', x.quantity,
                                                'committed', x.committed) order by x.product_id)
              from reservation_lines x where x.reservation_id = r.id), '[]') as lines
  from reservations r`;

export const RESERVATION_SQL = {
  /** The reservations every read answers (filters and order appended by the caller). */
  select: SELECT_RESERVATION,
  /** One reservation. */
  get: (p: Placeholder, id: unknown) => `${SELECT_RESERVATION} where r.id = ${p(id)}`,
  /** The reservation's row, in a live store, returning its expiry; no row when the store is missing. */
  insert: (
    p: Placeholder,
    r: { id: unknown; storeId: unknown; reference: unknown; ttlSeconds: unknown; actor: unknown },
  ) =>
    `insert into reservations (id, store_id, reference, expires_at, actor)
     select ${p(r.id)}, s.id, ${p(r.reference)},
            ${expiresIn(p, r.ttlSeconds)}, ${p(r.actor)}
       from stores s where s.id = ${p(r.storeId)} and s.deleted_at is null
     returning expires_at`,
  /** Locks the reservation's row (a transition's first lock). */
  lock: (p: Placeholder, id: unknown) =>
    `select r.store_id, ${STATUS_SQL} as status, r.reference, r.expires_at
       from reservations r where r.id = ${p(id)} for update`,
  /** The units each line holds. */
  heldLines: (p: Placeholder, id: unknown) =>
    `select product_id, quantity from reservation_lines where reservation_id = ${p(id)} order by product_id`,
  /** Records what each line sold (product ids and units, in the same order). */
  committedLines: (p: Placeholder, id: unknown, productIds: unknown, units: unknown) =>
    `update reservation_lines x set committed = v.n
       from unnest(${p(productIds)}::uuid[], ${p(units)}::int[]) as v(p, n)
      where x.reservation_id = ${p(id)} and x.product_id = v.p`,
  /** Reservations whose status (as reads answer it) is this one. */
  statusIs: (p: Placeholder, status: unknown) => `${STATUS_SQL} = ${p(status)}`,
  /** Moves the reservation's expiry, returning it. */
  extend: (p: Placeholder, id: unknown, ttlSeconds: unknown) =>
    `update reservations set expires_at = ${expiresIn(p, ttlSeconds)}, updated_at = now()
      where id = ${p(id)} returning expires_at`,
  /** Gives the open lines that expiry, returning the lines still open. */
  extendLines: (p: Placeholder, id: unknown, expiresAt: unknown) =>
    `update reservation_lines set expires_at = ${p(expiresAt)}
      where reservation_id = ${p(id)} and open returning product_id`,
  setStatus: (p: Placeholder, id: unknown, status: unknown) =>
    `update reservations set status = ${p(status)}, updated_at = now() where id = ${p(id)}`,
} as const;

export interface HoldLine {
  productId: string;
  quantity: number;
}

/** The door's operation that opens a reservation's holds: one `take` per (summed) line. */
export const takeOperation = (r: {
  id: string;
  storeId: string;
  lines: HoldLine[];
  expiresAt: string;
  reference?: string | null;
  actor: string | null;
}): StockOperation =>
  r.lines.map(
    (l): StockChange => ({
      productId: l.productId,
      storeId: r.storeId,
      kind: "adjustment",
      hold: "take",
      units: l.quantity,
      reservationId: r.id,
      expiresAt: r.expiresAt,
      reference: r.reference,
      actor: r.actor,
    }),
  );

/**
 * The door's operation that commits a reservation: every held line is dropped, and the units
 * `sold` names (0 or missing: none) leave on hand as a sale carrying the reservation id. Selling
 * nothing is a release.
 */
export const commitOperation = (r: {
  id: string;
  storeId: string;
  lines: HoldLine[];
  sold: ReadonlyMap<string, number>;
  reference: string | null;
  actor: string | null;
}): StockOperation =>
  r.lines.map(
    (l): StockChange => ({
      productId: l.productId,
      storeId: r.storeId,
      kind: "adjustment",
      hold: "drop",
      reservationId: r.id,
      delta: (r.sold.get(l.productId) ?? 0) > 0 ? -(r.sold.get(l.productId) ?? 0) : undefined,
      reason: "sold",
      reference: r.reference,
      actor: r.actor,
    }),
  );

/** The change that ends an expired reservation's hold on one level (if a write has not already). */
export const lapseChange = (l: {
  reservationId: string;
  productId: string;
  storeId: string;
}): StockChange => ({
  productId: l.productId,
  storeId: l.storeId,
  kind: "adjustment",
  hold: "lapse",
  reservationId: l.reservationId,
});
