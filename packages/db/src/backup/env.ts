/**
 * Environment variables the backup library and the `stockroom db` commands read, beside
 * the server's own (apps/server ConfigSchema). Deployment tests check compose and
 * Kubernetes env against both lists.
 */
export const BACKUP_ENV_VARIABLES = [
  // Which database: the same two the server reads.
  "DATABASE_URL",
  "STOCKROOM_DATA_DIR",
  // Where pg_dump and psql live when they are not on PATH.
  "STOCKROOM_PG_BIN_DIR",
  // libpq, read by pg_dump/psql themselves.
  "PGPASSWORD",
  "PGSSLMODE",
  "PGCONNECT_TIMEOUT",
  // The scheduler's cron patterns are evaluated in this time zone.
  "TZ",
] as const;
