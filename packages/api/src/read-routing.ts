import { type Db, parseLsn, type ReadReplica } from "@stockroom/db";
import type { AuthenticatedKey, RootContext } from "./context";
import type { AnyOperation } from "./operation";

/**
 * Which database a read runs on when a streaming read replica is configured. The rule:
 * a read goes to the replica unless
 * - the operation needs every commit (consistency "strong", e.g. the audit),
 * - the request says `Consistency: strong`,
 * - it carries an Idempotency-Key (a keyed request is part of a change),
 * - it carries a write position (`Read-After`) the replica had not replayed at its last check,
 * - its API key finished a change on this process within readYourWritesMs,
 * - or the replica is down, not a standby, or further behind than its lag bound.
 * Changes always run on the primary and answer the primary's WAL position after their commit
 * (`Write-Position`): a client that sends it back with its reads reads its writes through any
 * server process. The window is per process, a fallback for clients that do not carry it.
 */
/** Answered by every change when a read replica is configured: the primary's WAL position after its commit. */
export const WRITE_POSITION_HEADER = "write-position";
/** Sent by a client with its reads: a Write-Position it was answered; the read sees that change. */
export const READ_AFTER_HEADER = "read-after";

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
    if (!this.replica.usable()) return null;
    if (root.readAfter !== undefined && !this.replica.hasReplayed(root.readAfter)) return null;
    return this.replica.database.db;
  }

  /**
   * A change committed: its answer carries the primary's WAL position (the highest, when a
   * tRPC batch ran several). Not knowing it fails nothing: the change is done, and the answer
   * goes without the header.
   */
  async committed(root: RootContext): Promise<void> {
    let position: string;
    try {
      position = await this.replica.primaryPosition();
    } catch {
      return;
    }
    const earlier = root.responseHeaders.get(WRITE_POSITION_HEADER);
    if (earlier === undefined || parseLsn(earlier) < parseLsn(position))
      root.responseHeaders.set(WRITE_POSITION_HEADER, position);
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
