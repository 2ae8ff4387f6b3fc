export { sql } from "drizzle-orm";
export * from "./client";
export * from "./errors";
export { executeNamed, Statement } from "./named";
export * as schema from "./schema";
export * from "./schema";
export { isEmpty, seedDemo } from "./seed";
export { readSqlSources, type SqlSource, sqlSourcesFolder } from "./sql-sources";
export * from "./stock-changes";
