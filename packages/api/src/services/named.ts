export { executeNamed, Statement } from "@stockroom/db";

/** node-postgres under drizzle hands timestamptz over as text, e.g. "2026-11-27 22:01:06.123456+00". */
const PG_UTC = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamp from a raw row as the API's ISO 8601 text (UTC, milliseconds, truncated as
 * Date does). PostgreSQL's UTC text is rewritten without building a Date; anything else
 * (another session time zone, a Date from PGlite) goes through Date.
 */
export function isoOf(d: Date | string): string {
  if (typeof d === "string") {
    const m = PG_UTC.exec(d);
    if (m) return `${m[1]}T${m[2]}.${(m[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
  }
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
