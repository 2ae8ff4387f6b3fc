import type { Db, ReadReplica } from "@stockroom/db";
import type { AuthenticatedKey, RootContext } from "./context";
import type { AnyOperation } from "./operation";

/**
 * Which database a read runs on when a streaming read replica is configured. The rule:
 * a read goes to the replica unless
 * - the operation needs every commit (consistency "strong", e.g. the audit),
 * - the request says `Consistency: strong`,
 * - it carries an Idempotency-Key (a keyed request is part of a change),
 * - its API key finished a change on this process within readYourWritesMs,
 * - or the replica is down, not a standby, or further behind than its lag bound.
 * Changes always run on the primary. Per process: a key that writes through one server
 * process and reads through another relies on the window and the lag bound (docs/scaling.md).
 */
export class ReadRouting {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    readonly replica: ReadReplica,
    readonly readYourWritesMs: number,
  ) {}

  /** The replica's handle for this read, or null for the primary. */
  replicaFor(op: AnyOperation, root: RootContext, auth: AuthenticatedKey | null): Db | null {
    if (op.consistency === "strong" || root.consistency === "strong" || root.idempotencyKey !== null)
      return null;
    if (auth !== null && this.wroteRecently(auth.id)) return null;
    return this.replica.usable() ? this.replica.database.db : null;
  }

  /** A change by this key finished (or failed: it may have committed all the same). */
  wrote(keyId: string): void {
    const now = performance.now();
    this.lastWrite.delete(keyId);
    this.lastWrite.set(keyId, now);
    // Oldest first (re-inserted on every write): drop the ones out of the window.
    if (this.lastWrite.size > 1000)
      for (const [id, at] of this.lastWrite) {
        if (now - at < this.readYourWritesMs) break;
        this.lastWrite.delete(id);
      }
  }

  private wroteRecently(keyId: string): boolean {
    const at = this.lastWrite.get(keyId);
    return at !== undefined && performance.now() - at < this.readYourWritesMs;
  }
}
