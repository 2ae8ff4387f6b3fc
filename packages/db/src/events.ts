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

/** Writes the events, in order, in ONE statement of the caller's transaction. */
export async function writeEvents(db: Queryable, list: NewEvent[]): Promise<void> {
  if (list.length === 0) return;
  const st = new Statement();
  const json = JSON.stringify(
    list.map((e) => ({
      type: e.type,
      productId: e.productId ?? null,
      storeId: e.storeId ?? null,
      data: e.data,
    })),
  );
  await st.rows(
    db,
    `insert into events (type, product_id, store_id, data)
     select e.v->>'type', (e.v->>'productId')::uuid, e.v->>'storeId', e.v->'data'
     from jsonb_array_elements(${st.p(json)}::jsonb) with ordinality as e(v, n)
     order by e.n`,
  );
}

/**
 * Gives the feed its next positions (sql/events.sql), at most `max` events; answers how many.
 * Runs on its own (not inside a longer transaction): it must see the latest commits.
 */
export async function publishEvents(db: Queryable, max = 1000): Promise<number> {
  const st = new Statement();
  const [row] = await st.rows<{ n: number }>(
    db,
    `select stockroom_publish_events(${st.p(max)}::integer) as n`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Deletes published events older than `days` days, oldest first, at most `max` of them;
 * answers how many. Positions keep increasing: a consumer's cursor stays valid.
 */
export async function purgeEvents(db: Queryable, days: number, max = 10_000): Promise<number> {
  const st = new Statement();
  const rows = await st.rows(
    db,
    `delete from events where seq in (
       select e.seq from events e
       where e.position is not null and e.created_at < now() - make_interval(days => ${st.p(days)}::integer)
       order by e.created_at limit ${st.p(max)})
     returning 1`,
  );
  return rows.length;
}
