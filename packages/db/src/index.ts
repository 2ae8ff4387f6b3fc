export { sql } from "drizzle-orm";
export * from "./client";
export * from "./errors";
export * as schema from "./schema";
export * from "./schema";
export { isEmpty, seedDemo } from "./seed";
