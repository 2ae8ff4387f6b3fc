export { sql } from "drizzle-orm";
export * from "./client";
export { DataDirInUseError, LOCK_FILE, lockDataDir } from "./data-dir-lock";
export * from "./errors";
export { openPglite } from "./pglite-open";
export { hasPgliteTemplate, pgliteTemplate } from "./pglite-template";
export * as schema from "./schema";
export * from "./schema";
export { isEmpty, seedDemo } from "./seed";
