import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";
import { stableStringify } from "./stable-json";

/**
 * Keyset paging for the offset-paged lists (products, a store's inventory, alerts). A cursor
 * is opaque to clients: base64url of a small JSON naming the list, a fingerprint of the
 * filters and sort it was issued for, the sort key of the last item given (ending in its id,
 * the tie-break), the position of the next item and the total counted with the first page.
 * Nothing in it is trusted: the key values are checked by the list's own schema before they
 * reach SQL, and a cursor for another list, other filters or another sort is refused.
 */

/** The largest offset these lists accept: walking further costs every row skipped. */
export const MAX_OFFSET = 10_000;

/**
 * How far past `offset` a list whose total is not kept counts its matches before it stops
 * and answers a lower bound (`totalExact: false`): an exact count costs every match, so on
 * a chain-sized catalogue a broad filter would cost more to count than to page.
 */
export const TOTAL_BOUND = 1_000;

export const ZKeysetPaging = {
  limit: z.number().int().min(1).max(100).default(20),
  offset: z
    .number()
    .int()
    .min(0)
    .max(
      MAX_OFFSET,
      `Too big: offset is at most ${MAX_OFFSET}; page further with cursor (the nextCursor of the previous page)`,
    )
    .default(0)
    .meta({
      description: `Items to skip, at most ${MAX_OFFSET}. Not with \`cursor\`. To walk further, follow \`nextCursor\`.`,
    }),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, "Must be the nextCursor of a previous page")
    .meta({
      description:
        "`nextCursor` of the previous page, sent with the same filters and sort: the next page starts after its last item, at the same cost however deep. Not with `offset`.",
      example: "eyJsIjoicHJvZHVjdHMifQ",
    })
    .optional(),
};

export const ZKeysetPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int().meta({
      description:
        "Items matching the filters (the whole list, not what is left), or a lower bound of it when `totalExact` is false. Counted with every offset page; a page reached with `cursor` repeats the count made with the first page, which its cursor carries, instead of counting again (a lower bound rises to what the walk has seen).",
      example: 1,
    }),
    totalExact: z.boolean().meta({
      description: `false when \`total\` is a lower bound (at least that many match). The products list counts filters other than \`category\` up to ${TOTAL_BOUND} matches past \`offset\` (\`exactTotal=true\` counts them all); a store's inventory and the alerts are always exact. A page that reaches the end of the list is always exact.`,
      example: true,
    }),
    limit: z.number().int().meta({ example: 20 }),
    offset: z.number().int().meta({
      description: "Position of the first item; with `cursor`, the position the walk has reached",
      example: 0,
    }),
    nextCursor: z.string().nullable().meta({
      description:
        "Pass as `cursor` (with the same filters and sort) for the next page; null on the last page",
      example: null,
    }),
  });

type KeyValue = string | number;

const ZCursorBody = z.strictObject({
  l: z.string(),
  f: z.string(),
  k: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .max(8),
  n: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  t: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** false: `t` is a lower bound. Absent in exact lists' cursors. */
  e: z.literal(false).optional(),
});

const fingerprint = (list: string, scope: Record<string, unknown>) =>
  createHash("sha256")
    .update(`${list}\n${stableStringify(scope)}`)
    .digest("base64url")
    .slice(0, 16);

const cursorProblem = (detail: string, message: string) =>
  new AppError("VALIDATION_FAILED", detail, { issues: [{ path: "cursor", message }] });

/** A cursor that is not one this API returned (also the ledger's cursor check). */
export const invalidCursor = () => cursorProblem("cursor is not one this API returned", "Invalid cursor");

/** What a list walks by: its name, the filters and sort that define it, and its key's shape. */
export interface KeysetList<K extends KeyValue[]> {
  list: string;
  scope: Record<string, unknown>;
  key: z.ZodType<K>;
}

export interface KeysetPosition<K> {
  /** The sort key of the last item already given; the page starts after it. */
  after: K;
  /** Position of the page's first item. */
  position: number;
  /** The total counted with the first page. */
  total: number;
  /** false when that total is a lower bound. */
  totalExact: boolean;
}

export function encodeCursor<K extends KeyValue[]>(
  spec: KeysetList<K>,
  last: K,
  position: number,
  total: number,
  totalExact = true,
): string {
  const body = {
    l: spec.list,
    f: fingerprint(spec.list, spec.scope),
    k: last,
    n: position,
    t: total,
    ...(totalExact ? {} : { e: false }),
  };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * The position a cursor stands for, or a VALIDATION_FAILED naming `cursor`: malformed, or
 * issued for another list, other filters or another sort. `offset` with a cursor is refused
 * too: the cursor already says where the page starts.
 */
export function decodeCursor<K extends KeyValue[]>(
  spec: KeysetList<K>,
  input: { cursor?: string; offset: number },
): KeysetPosition<K> | null {
  if (input.cursor === undefined) return null;
  if (input.offset > 0)
    throw new AppError("VALIDATION_FAILED", "offset cannot be combined with cursor", {
      issues: [
        { path: "offset", message: "Leave offset out when sending cursor: the cursor says where to start" },
      ],
    });
  let body: z.infer<typeof ZCursorBody>;
  try {
    body = ZCursorBody.parse(JSON.parse(Buffer.from(input.cursor, "base64url").toString()));
  } catch {
    throw invalidCursor();
  }
  if (body.l !== spec.list) throw invalidCursor();
  if (body.f !== fingerprint(spec.list, spec.scope))
    throw cursorProblem(
      "cursor was issued for other filters or another sort: send the same filters and sort as the request that returned it, or start again without cursor",
      "Issued for other filters or another sort",
    );
  const after = spec.key.safeParse(body.k);
  if (!after.success) throw invalidCursor();
  return { after: after.data, position: body.n, total: body.t, totalExact: body.e ?? true };
}

/**
 * The answer of a keyset list from its rows (fetched one more than `limit`, to know whether
 * there is a next page): the page, and a cursor after its last item. A lower-bound total
 * rises to what the page shows exists, and becomes exact on the list's last page.
 */
export function keysetPage<R, T, K extends KeyValue[]>(
  spec: KeysetList<K>,
  rows: R[],
  page: { limit: number; offset: number; total: number; totalExact?: boolean },
  map: (row: R) => T,
  keyOf: (row: R) => K,
) {
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  const more = rows.length > page.limit;
  const seen = page.offset + items.length;
  let total = page.total;
  let totalExact = page.totalExact ?? true;
  if (!totalExact) {
    if (!more && items.length > 0) [total, totalExact] = [seen, true];
    else total = Math.max(total, seen + (more ? 1 : 0));
  }
  return {
    items: items.map(map),
    total,
    totalExact,
    limit: page.limit,
    offset: page.offset,
    nextCursor: more && last !== undefined ? encodeCursor(spec, keyOf(last), seen, total, totalExact) : null,
  };
}
