import type { Queryable } from "./client";
import { Statement } from "./named";

/**
 * The outbox's TypeScript side (schema/events.ts, sql/events.sql). Stock events are written by
 * stockroom_apply itself; everything else that happens (a reservation created, a shipment
 * received, a webhook test) is written here, in the caller's transaction.
 */

export interface NewEvent {
  type: string;
  data: unknown;
  /** The product and store the event concerns, when there is one (feed filters, webhook order). */
  productId?: string | null;
  storeId?: string | null;
}

/** Writes the events, in order, in ONE statement of the caller's transaction; answers their seq and id. */
export async function writeEvents(
  db: Queryable,
  list: NewEvent[],
): Promise<Array<{ seq: number; id: string }>> {
  if (list.length === 0) return [];
  const st = new Statement();
  const json = JSON.stringify(
    list.map((e) => ({
      type: e.type,
      productId: e.productId ?? null,
      storeId: e.storeId ?? null,
      data: e.data,
    })),
  );
  const rows = await st.rows<{ seq: number | string; id: string }>(
    db,
    `select * from stockroom_write_events(${st.p(json)}::jsonb)`,
  );
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id }));
}

/**
 * Moves the feed's frontier as far as it can (sql/events.sql); answers how many sequence
 * numbers it published. Runs on its own, never inside a longer transaction.
 */
export async function publishEvents(db: Queryable): Promise<number> {
  const [row] = await new Statement().rows<{ n: number | string }>(
    db,
    "select stockroom_publish_events() as n",
  );
  return Number(row?.n ?? 0);
}

/**
 * Every event, as one relation `e` (seq, id, type, product_id, store_id, created_at, data): the
 * events table, and the ledger rows, each a stock.changed event (its id the ledger row's, its
 * data the row and the level's reserved units after it). Both take `seq` from one sequence
 * and are read by their primary key on it; PostgreSQL pushes a caller's conditions on
 * e.seq / e.type / e.product_id / e.store_id into both halves (the ledger's product and store
 * filters use its indexes). Ledger rows up to `ledger_from` predate this (their events are
 * rows of the table); everything up to `kept_from` is past retention. Those conditions stay
 * outside the UNION: a branch with a WHERE of its own is not merged into one ordered scan
 * (Merge Append) and `order by seq limit n` would sort every row after the cursor.
 * A subquery rather than a database view: a view would pin the ledger's columns against
 * later migrations.
 */
export const EVENT_FEED_SQL = `(select u.* from (
    select ev.seq, ev.id, ev.type::text as type, ev.product_id, ev.store_id, ev.created_at, ev.data, false as ledger
      from events ev
    union all
    select m.seq, m.id, 'stock.changed', m.product_id, m.store_id, m.created_at,
      jsonb_build_object(
        'movementId', m.id, 'productId', m.product_id, 'storeId', m.store_id, 'kind', m.kind, 'delta', m.delta,
        'reason', m.reason, 'quantity', m.quantity_after, 'reserved', m.reserved_after,
        'available', m.quantity_after - m.reserved_after, 'reservationId', m.reservation_id,
        'shipmentId', m.shipment_id, 'transferId', m.transfer_id),
      true
      from movements m) u
  where u.seq > (select w.kept_from from event_watermark w where w.id = 1)
    and (not u.ledger or u.seq > (select w.ledger_from from event_watermark w where w.id = 1))) e`;

/**
 * Events as the API shows them (id, seq, type, created_at, data), FROM included. The caller
 * appends WHERE / ORDER BY with `e.` for events.
 */
export const EVENT_SELECT_SQL = `select e.id, e.seq, e.type, e.created_at, e.data from ${EVENT_FEED_SQL}`;

/** The last seq any transaction took (events and ledger rows share the sequence). */
export const LAST_SEQ_SQL =
  "(select case when s.is_called then s.last_value else 0 end from movements_seq_seq s)";

/** The feed's frontier: every event up to this seq may be read. */
export const PUBLISHED_SEQ_SQL = "(select w.published from event_watermark w where w.id = 1)";

/** Publishes what is ready, then answers the feed's frontier (one poll for every open stream). */
export async function feedFrontier(db: Queryable): Promise<number> {
  await publishEvents(db);
  const [row] = await new Statement().rows<{ published: number | string }>(
    db,
    `select ${PUBLISHED_SEQ_SQL} as published`,
  );
  return Number(row?.published ?? 0);
}

/**
 * Retention: moves the feed's start (`kept_from`) past the published events older than `days`
 * days, and deletes up to `max` of the events table's rows before it, oldest first; answers
 * how many rows it deleted. The ledger rows stay (the ledger is kept for ever); the feed
 * stops answering them. Sequences keep increasing: a consumer's cursor stays valid.
 */
export async function purgeEvents(db: Queryable, days: number, max = 10_000): Promise<number> {
  const st = new Statement();
  const cutoff = `now() - make_interval(days => ${st.p(days)}::integer)`;
  // The newest ledger row and the newest table row older than the cutoff, by the created_at
  // index and by the oldest rows in seq order (created_at grows with seq, so this never scans
  // more than `max` rows), never past the published frontier.
  const rows = await st.rows(
    db,
    `with old as (
       select greatest(
         (select m.seq from movements m where m.created_at < ${cutoff} order by m.created_at desc, m.seq desc limit 1),
         (select max(o.seq) from (select e.seq, e.created_at from events e order by e.seq limit ${st.p(max)}) o
           where o.created_at < ${cutoff})) as seq
     ),
     upto as (
       select least(o.seq, ${PUBLISHED_SEQ_SQL}) as seq from old o where o.seq is not null
     ),
     moved as (
       update event_watermark w set kept_from = u.seq from upto u where w.id = 1 and u.seq > w.kept_from
       returning w.kept_from
     )
     delete from events where seq in (
       select e.seq from events e where e.seq <= (select u.seq from upto u) order by e.seq limit ${st.p(max)})
     returning 1`,
  );
  return rows.length;
}
