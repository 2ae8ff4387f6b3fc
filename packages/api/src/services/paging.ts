import type { Queryable } from "@stockroom/db";
import { Statement } from "./named";

/**
 * One offset page of a list: the filters' total and the rows of the page, as
 * `{ items, total, limit, offset }`. `where` was written with `filters.p`, whose values both
 * statements send; `select` is the list's select up to and including its FROM, with the alias
 * the filters use.
 */
export async function offsetPage<Row, Item>(
  db: Queryable,
  q: {
    from: string;
    select: string;
    filters: Statement;
    where: string[];
    order: string;
    limit: number;
    offset: number;
    map: (row: Row) => Item;
  },
) {
  const filter = q.where.length ? `where ${q.where.join(" and ")}` : "";
  const [counted] = await q.filters.rows<{ n: number | string }>(
    db,
    `select count(*) as n from ${q.from} ${filter}`,
  );
  const page = new Statement();
  page.params.push(...q.filters.params);
  const rows = await page.rows<Row>(
    db,
    `${q.select} ${filter} order by ${q.order} limit ${page.p(q.limit)} offset ${page.p(q.offset)}`,
  );
  return { items: rows.map(q.map), total: Number(counted?.n ?? 0), limit: q.limit, offset: q.offset };
}
