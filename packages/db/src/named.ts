import type { SQL } from "drizzle-orm";
import { type Queryable, rowsOf } from "./client";

type Session = {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: string | undefined,
    arrayMode: boolean,
  ): { execute(): Promise<unknown> };
};
type Internals = {
  session: Session;
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
};

const names = new Map<string, string>();

function run(db: Queryable, built: { sql: string; params: unknown[] }): Promise<unknown> {
  let name = names.get(built.sql);
  if (name === undefined) {
    name = `stockroom_${names.size + 1}`;
    names.set(built.sql, name);
  }
  return (db as unknown as Internals).session.prepareQuery(built, undefined, name, false).execute();
}

/**
 * db.execute(query), as a named prepared statement: PostgreSQL parses and plans each distinct
 * text once per connection, then only binds and runs it. On the hot read paths planning cost
 * more than executing (many indexes to weigh), so this roughly triples what the database
 * serves per second. Each distinct text gets its own name, so a name never changes meaning;
 * the texts come from a bounded set of query shapes. PGlite ignores the name.
 */
export function executeNamed(db: Queryable, query: SQL): Promise<unknown> {
  return run(db, (db as unknown as Internals).dialect.sqlToQuery(query));
}

/**
 * A statement written as text with numbered parameters, for the hottest paths: building
 * the same SQL with drizzle's builder on every request cost as much Node time as parsing
 * the answer. `p(value)` appends a parameter and returns its placeholder; the text must
 * only ever depend on which filters are present, never on their values.
 */
export class Statement {
  readonly params: unknown[] = [];
  p = (value: unknown): string => {
    this.params.push(value);
    return `$${this.params.length}`;
  };
  async rows<T>(db: Queryable, text: string): Promise<T[]> {
    return rowsOf<T>(await run(db, { sql: text, params: this.params }));
  }
}
