import { ATTEMPT_TIMEOUT_MS, DEFAULT_AUDIT_TIMEOUT_MS, DEFAULT_LEASE_MS, MIN_LEASE_MS } from "@stockroom/api";
import { z } from "zod";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "Must be true or false" })
    .optional()
    .transform((v) => (v === undefined ? fallback : ["true", "1", "yes"].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `Must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/** Every environment variable the server reads, validated once at start. */
export const ConfigSchema = z.object({
  PORT: int(8000, 0, 65535),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "Must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  // A streaming replica of DATABASE_URL: reads that tolerate a little lag go there.
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "Must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  // Keep STOCKROOM_READ_YOUR_WRITES_MS >= max lag + check interval: a key then always reads
  // its own changes (docs/scaling.md).
  STOCKROOM_REPLICA_MAX_LAG_MS: int(2000, 0, 3_600_000),
  STOCKROOM_REPLICA_CHECK_MS: int(1000, 50, 60_000),
  STOCKROOM_READ_YOUR_WRITES_MS: int(5000, 0, 3_600_000),
  STOCKROOM_DATA_DIR: z.string().min(1).default("./data"),
  STOCKROOM_BOOTSTRAP_KEY: z.string().min(8, "Must be at least 8 characters").max(256).optional(),
  STOCKROOM_DEMO: bool(true),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  STOCKROOM_METRICS_PUBLIC: bool(false),
  STOCKROOM_DB_POOL_SIZE: int(10, 1, 500),
  // Processes serving one port (node:cluster), each with its own pool; PostgreSQL only.
  STOCKROOM_WORKERS: int(1, 1, 64),
  STOCKROOM_STATEMENT_TIMEOUT_MS: int(10_000, 100, 600_000),
  STOCKROOM_DB_GENERIC_PLANS: bool(true),
  STOCKROOM_DB_ACQUIRE_TIMEOUT_MS: int(10_000, 100, 120_000),
  // Key-less transfers and adjustments: the most applied by one statement (1: each on its
  // own), and how many such statements of each kind run at once before further ones wait
  // and go together.
  STOCKROOM_WRITE_BATCH: int(64, 1, 1000),
  STOCKROOM_WRITE_CONCURRENCY: int(2, 1, 500),
  STOCKROOM_KEY_CACHE_TTL_MS: int(5000, 0, 300_000),
  STOCKROOM_RATE_LIMIT: int(0, 0, 1_000_000),
  STOCKROOM_RATE_LIMIT_BURST: int(0, 0, 1_000_000),
  STOCKROOM_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean)
        : [],
    )
    .refine((list) => list.every((o) => o === "*" || /^https?:\/\/[^/\s]+$/.test(o)), {
      message: "Must be a comma-separated list of origins like https://shop.example.com, or *",
    }),
  STOCKROOM_REQUEST_TIMEOUT_MS: int(30_000, 100, 600_000),
  // How long the ledger audit's checks may run (a first or full audit reads the whole ledger),
  // instead of STOCKROOM_STATEMENT_TIMEOUT_MS. Below the request timeout (checked in loadConfig).
  STOCKROOM_AUDIT_TIMEOUT_MS: int(DEFAULT_AUDIT_TIMEOUT_MS, 100, 600_000),
  STOCKROOM_SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 120_000),
  // How often expired reservations are turned `expired` (their holds stop counting at
  // expiresAt whatever this is; the sweep records the transition). 0 turns the sweep off.
  STOCKROOM_RESERVATION_SWEEP_MS: int(2_000, 0, 3_600_000),
  // How often the outbox's ready events are published to the feed, the stream and the webhooks
  // (a feed read publishes too). 0 turns the loop off.
  STOCKROOM_EVENT_PUBLISH_MS: int(200, 0, 60_000),
  // Published events older than this are deleted (hourly).
  STOCKROOM_EVENT_RETENTION_DAYS: int(30, 1, 3650),
  // GET /api/events/stream: how often the server reads the feed's frontier for its open
  // streams, and how long a quiet stream waits before a heartbeat comment.
  STOCKROOM_EVENT_STREAM_POLL_MS: int(250, 10, 60_000),
  STOCKROOM_EVENT_HEARTBEAT_MS: int(15_000, 10, 300_000),
  // How often the webhook worker looks for deliveries that are due (0: no deliveries from this process).
  STOCKROOM_WEBHOOK_POLL_MS: int(500, 0, 60_000),
  // Multiplies every wait between delivery attempts (tests: 0.001 makes three days ~4 minutes).
  STOCKROOM_WEBHOOK_RETRY_SCALE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return 1;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 100) {
        ctx.addIssue({ code: "custom", message: "Must be a number from 0 to 100" });
        return z.NEVER;
      }
      return n;
    }),
  // How long a webhook delivery stays claimed by the process sending it: a process that dies
  // mid-attempt leaves its claims to others after this. It must outlast an attempt (its
  // timeout, and a second to record it), or a slow attempt would be sent twice at once.
  STOCKROOM_WEBHOOK_LEASE_MS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return DEFAULT_LEASE_MS;
      const n = Number(v);
      if (!Number.isInteger(n) || n > 3_600_000) {
        ctx.addIssue({ code: "custom", message: `Must be an integer from ${MIN_LEASE_MS} to 3600000` });
        return z.NEVER;
      }
      if (n < MIN_LEASE_MS) {
        ctx.addIssue({
          code: "custom",
          message: `Must be longer than a webhook attempt's timeout (${ATTEMPT_TIMEOUT_MS} ms) with ${MIN_LEASE_MS - ATTEMPT_TIMEOUT_MS} ms to spare for recording it: at least ${MIN_LEASE_MS}`,
        });
        return z.NEVER;
      }
      return n;
    }),
  // Webhook URLs may be http and reach private, loopback and link-local addresses (development only).
  STOCKROOM_WEBHOOK_ALLOW_PRIVATE: bool(false),
});

export type Config = z.infer<typeof ConfigSchema>;
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.shape);

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(CONFIG_VARIABLES.map((k) => [k, env[k]]));
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  if (parsed.data.DATABASE_REPLICA_URL && !parsed.data.DATABASE_URL)
    throw new ConfigError(
      "Invalid configuration:\n  DATABASE_REPLICA_URL: Needs DATABASE_URL (the primary it replicates); the embedded PGlite database has no replicas",
    );
  if (parsed.data.STOCKROOM_AUDIT_TIMEOUT_MS >= parsed.data.STOCKROOM_REQUEST_TIMEOUT_MS)
    throw new ConfigError(
      `Invalid configuration:\n  STOCKROOM_AUDIT_TIMEOUT_MS: Must be below STOCKROOM_REQUEST_TIMEOUT_MS (${parsed.data.STOCKROOM_REQUEST_TIMEOUT_MS}), or the request is cut before the audit can answer; raise both`,
    );
  return parsed.data;
}

const redactUrl = (url: string | undefined) => url?.replace(/\/\/([^:@/]*)(:[^@/]*)?@/, "//$1:***@");

/** The config with secrets hidden, for the start-up log. */
export function redactedConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    DATABASE_URL: redactUrl(config.DATABASE_URL),
    DATABASE_REPLICA_URL: redactUrl(config.DATABASE_REPLICA_URL),
    STOCKROOM_BOOTSTRAP_KEY: config.STOCKROOM_BOOTSTRAP_KEY ? "***" : undefined,
  };
}
