import { EVENT_SELECT_SQL, PUBLISHED_SEQ_SQL, publishEvents, type Queryable } from "@stockroom/db";
import type { TEvent } from "../routers/events/event.types";
import { isoOf, Statement } from "./named";

interface EventRow {
  id: string;
  seq: number | string;
  type: TEvent["type"];
  created_at: Date | string;
  data: unknown;
}

/** THE event mapper: the feed, the stream and the webhooks' bodies all answer this shape. */
export const toEvent = (r: EventRow): TEvent =>
  ({
    id: r.id,
    sequence: Number(r.seq),
    type: r.type,
    createdAt: isoOf(r.created_at),
    data: typeof r.data === "string" ? JSON.parse(r.data) : r.data,
  }) as TEvent;

export interface EventFeedInput {
  after?: string;
  /** A comma list of event types. */
  types?: string;
  productId?: string;
  storeId?: string;
  limit: number;
}

/** The published events after `after`, oldest first (sql/events.sql: why nothing is skipped). */
export async function readEvents(db: Queryable, input: EventFeedInput): Promise<TEvent[]> {
  const st = new Statement();
  const where = [`e.seq > ${st.p(input.after ?? "0")}::bigint`, `e.seq <= ${PUBLISHED_SEQ_SQL}`];
  if (input.types !== undefined) where.push(`e.type = any(${st.p(input.types.split(","))}::text[])`);
  if (input.productId !== undefined) where.push(`e.product_id = ${st.p(input.productId)}`);
  if (input.storeId !== undefined) where.push(`e.store_id = ${st.p(input.storeId)}`);
  const rows = await st.rows<EventRow>(
    db,
    `${EVENT_SELECT_SQL} where ${where.join(" and ")} order by e.seq limit ${st.p(input.limit)}`,
  );
  return rows.map(toEvent);
}

/** The feed: publishes what is ready, then reads. */
export async function listEvents(db: Queryable, input: EventFeedInput) {
  await publishEvents(db);
  const items = await readEvents(db, input);
  return { items, nextCursor: items.length ? String(items.at(-1)!.sequence) : (input.after ?? null) };
}
