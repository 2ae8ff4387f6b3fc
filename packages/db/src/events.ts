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
 * Events as the API shows them (id, seq, type, created_at, data), FROM and JOIN included: a
 * stock.changed event's data is its ledger row's, with the level's reserved units after it.
 * The caller appends WHERE / ORDER BY with `e.` for events.
 */
export const EVENT_SELECT_SQL = `select e.id, e.seq, e.type, e.created_at,
    coalesce(e.data, jsonb_build_object(
      'movementId', m.id, 'productId', m.product_id, 'storeId', m.store_id, 'kind', m.kind, 'delta', m.delta,
      'reason', m.reason, 'quantity', m.quantity_after, 'reserved', e.reserved,
      'available', m.quantity_after - e.reserved, 'reservationId', m.reservation_id,
      'shipmentId', m.shipment_id, 'transferId', m.transfer_id)) as data
  from events e left join movements m on m.id = e.movement_id`;

/** The feed's frontier: every event up to this seq may be read. */
export const PUBLISHED_SEQ_SQL = "(select w.published from event_watermark w where w.id = 1)";

/**
 * Deletes published events older than `days` days, oldest first, at most `max` of them;
 * answers how many. Sequences keep increasing: a consumer's cursor stays valid.
 */
export async function purgeEvents(db: Queryable, days: number, max = 10_000): Promise<number> {
  const st = new Statement();
  // The oldest rows by seq, of which those past retention (created_at grows with seq, so
  // this never scans more than `max` rows).
  const rows = await st.rows(
    db,
    `delete from events where seq in (
       select e.seq from events e where e.seq <= ${PUBLISHED_SEQ_SQL} order by e.seq limit ${st.p(max)})
       and created_at < now() - make_interval(days => ${st.p(days)}::integer)
     returning 1`,
  );
  return rows.length;
}
