import type { Database, Db } from "@stockroom/db";
import type { ReadRouting } from "./read-routing";
import type { KeyAuthenticator } from "./services/auth";
import type { WriteBatching } from "./services/stock";

export type Role = "viewer" | "clerk" | "manager" | "admin";
export const ROLES: readonly Role[] = ["viewer", "clerk", "manager", "admin"];
export const roleRank = (r: Role) => ROLES.indexOf(r);

/** Hooks the server can attach, e.g. to count stock operations for /metrics. */
export interface RuntimeHooks {
  stockOperation?(kind: "adjustment" | "transfer" | "count", outcome: string): void;
  /** A statement applying key-less stock operations was sent, carrying this many. */
  writeStatement?(operations: number): void;
  /** A read ran on the read replica or on the primary (only called when a replica is configured). */
  read?(target: "replica" | "primary"): void;
  /** A webhook delivery attempt ended so. */
  webhookDelivery?(outcome: "delivered" | "retry" | "failed" | "disabled"): void;
  /** An event stream opened, closed, or read the feed (GET /api/events/stream). */
  eventStream?(what: "opened" | "closed" | "read"): void;
}

/** Everything procedures need at run time; built once by the server. */
export interface Runtime {
  database: Database;
  keys: KeyAuthenticator;
  hooks: RuntimeHooks;
  /** How key-less stock operations are grouped into statements; DEFAULT_WRITE_BATCHING if absent. */
  writeBatching?: WriteBatching;
  /** Where reads go when a read replica is configured (DATABASE_REPLICA_URL); absent: the primary. */
  reads?: ReadRouting;
  /** Webhook URLs may be http and reach private addresses (STOCKROOM_WEBHOOK_ALLOW_PRIVATE). */
  webhooksAllowPrivate?: boolean;
  /** How long the ledger audit's checks may run (STOCKROOM_AUDIT_TIMEOUT_MS); DEFAULT_AUDIT_TIMEOUT_MS if absent. */
  auditTimeoutMs?: number;
}

/** Under the default request timeout (30 s), so the audit answers before the request is cut. */
export const DEFAULT_AUDIT_TIMEOUT_MS = 25_000;

/**
 * Opaque on purpose: the root context type is part of AppRouter, which the published SDK
 * bundles, so it must not mention drizzle. The runner unwraps it into typed handles.
 */
export interface RuntimeHandle {
  readonly __stockroomRuntime: true;
}

export const toHandle = (runtime: Runtime) => runtime as unknown as RuntimeHandle;
export const fromHandle = (handle: RuntimeHandle) => handle as unknown as Runtime;

export interface RootContext {
  requestId: string;
  /** The raw Authorization header, if any. */
  authorization: string | null;
  idempotencyKey: string | null;
  /** The Consistency header: "strong" reads the primary even when a read replica is configured. */
  consistency?: "strong" | "eventual";
  /** The Read-After header: a WAL position this read must see (read-routing.ts). */
  readAfter?: bigint;
  /** Headers a procedure wants on the response (e.g. idempotent-replayed), lower-case names. */
  responseHeaders: Map<string, string>;
  runtime: RuntimeHandle;
  /** Filled in by the key check, for the request log. */
  log: { keyId: string | null };
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  role: Role;
}

/** What an operation's handler sees: the root context plus what the runner adds. */
export interface ProcedureContext extends RootContext {
  db: Db;
  /** True inside the mutation's transaction; false for a single-statement mutation on the pool. */
  inTransaction?: boolean;
  rt: Runtime;
  auth: AuthenticatedKey;
}
