import { sql } from "drizzle-orm";
import { createDatabase, type Database, type DatabaseOptions, rowsOf } from "./client";

/**
 * - starting: not checked yet.
 * - streaming: a standby at most the lag bound behind the primary; reads may go there.
 * - lagging: further behind than the bound; reads go to the primary until it catches up.
 * - down: the last check (or a read) could not reach it.
 * - not_a_standby: it answers but is not in recovery (promoted, or the URL names another
 *   primary): its data is not the primary's, so it never serves reads.
 */
export type ReplicaState = "starting" | "streaming" | "lagging" | "down" | "not_a_standby";

export interface ReplicaStatus {
  state: ReplicaState;
  /**
   * How far behind the primary the replica was at the last check, in seconds: an upper bound,
   * precise to one check interval (when lagging behind every kept sample: a lower bound).
   * null when unknown (not checked, down, not a standby).
   */
  lagSeconds: number | null;
  /** True when reads that tolerate lag are sent there now. */
  servingReads: boolean;
}

export interface ReadReplica {
  readonly database: Database;
  readonly maxLagMs: number;
  /** Whether reads may go to the replica now (state streaming). Costs nothing: no query. */
  usable(): boolean;
  status(): ReplicaStatus;
  /** A read on the replica failed by its connection: no more reads there until a check succeeds. */
  failed(): void;
  /**
   * Whether the replica had replayed the primary's WAL up to `position` at the last check
   * (a write position a client carries back, see primaryPosition). Costs nothing: no query.
   */
  hasReplayed(position: bigint): boolean;
  /**
   * The primary's WAL insert position, read now: at or past the end of every commit that had
   * returned before the call. One query at a time: callers that arrive while one runs share
   * the next one, so a burst of changes costs one round trip, not one each.
   */
  primaryPosition(): Promise<string>;
  /** Runs one check now (the periodic ones go on). */
  check(): Promise<ReplicaStatus>;
  close(): Promise<void>;
}

export interface ReadReplicaOptions extends Omit<DatabaseOptions, "url" | "dataDir" | "purpose"> {
  url: string;
  /** Reads stop going to the replica when it is further behind than this. */
  maxLagMs: number;
  /** How often the lag is measured. */
  checkIntervalMs: number;
}

/** A pg_lsn as text (`16/B374D848`) as a number that compares. */
export function parseLsn(text: string): bigint {
  const [hi = "0", lo = "0"] = text.split("/");
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

const LSN_TEXT = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;

/** A pg_lsn as a client sends it back (`16/B374D848`), or null when it is not one. */
export function lsnOrNull(text: string): bigint | null {
  return LSN_TEXT.test(text) ? parseLsn(text) : null;
}

/**
 * `run`, shared: every caller gets the answer of a run that STARTED after its call, and callers
 * that arrive while a run is going share the next one. A burst of callers costs two runs at
 * most, never one each, and no caller gets an answer from before it called.
 */
export function afterCall<T>(run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = () => {
    const p = run();
    running = p;
    const clear = () => {
      if (running === p) running = null;
    };
    p.then(clear, clear);
    return p;
  };
  return () => {
    if (next) return next;
    if (!running) return start();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    const queued = settled.then(() => {
      next = null;
      return start();
    });
    next = queued;
    return queued;
  };
}

interface Sample {
  at: number;
  lsn: bigint;
}

/**
 * A streaming replica of `primary`, checked every checkIntervalMs with two cheap queries: the
 * primary's current WAL position (kept with the time it was read) and the replica's replayed
 * position. The replica holds every change the primary had at the latest sample its replayed
 * position reaches, so it is behind by at most the time since that sample. This needs no
 * clock agreement between the servers and does not grow while the primary is idle (which
 * `now() - pg_last_xact_replay_timestamp()` does).
 */
export async function openReadReplica(primary: Database, options: ReadReplicaOptions): Promise<ReadReplica> {
  const { url, maxLagMs, checkIntervalMs, ...poolOptions } = options;
  const database = await createDatabase({ ...poolOptions, url });
  // Enough history to tell "behind by more than the bound" from "behind by the bound".
  const keep = Math.max(4, Math.ceil((2 * maxLagMs) / checkIntervalMs) + 2);
  const samples: Sample[] = [];
  let state: ReplicaState = "starting";
  let lagSeconds: number | null = null;
  // The replica's replayed position at the last check that reached it as a standby.
  let replayedAt: bigint | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReplicaStatus> | null = null;

  const status = (): ReplicaStatus => ({ state, lagSeconds, servingReads: state === "streaming" });
  /** Not placed on the primary's WAL: no lag, no replayed position. */
  const unplaced = (next: "not_a_standby" | "down") => {
    state = next;
    lagSeconds = null;
    replayedAt = null;
  };

  const withTimeout = <T>(p: Promise<T>, ms: number) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("check timed out")), ms).unref()),
    ]);

  async function measure(): Promise<void> {
    const budget = Math.max(2000, checkIntervalMs);
    try {
      // The time BEFORE asking: every commit that had returned by then is below the answer.
      const at = performance.now();
      const [p] = rowsOf<{ lsn: string }>(
        await withTimeout(primary.db.execute(sql`select pg_current_wal_lsn()::text as lsn`), budget),
      );
      if (p) {
        samples.push({ at, lsn: parseLsn(p.lsn) });
        if (samples.length > keep) samples.shift();
      }
    } catch {
      // The primary not answering is /ready's business; the replica is judged on what is known.
    }
    try {
      const [r] = rowsOf<{ standby: boolean; lsn: string | null }>(
        await withTimeout(
          database.db.execute(
            sql`select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn`,
          ),
          budget,
        ),
      );
      if (!r?.standby) return unplaced("not_a_standby");
      if (r.lsn === null) return unplaced("down");
      const replayed = parseLsn(r.lsn);
      replayedAt = replayed;
      const now = performance.now();
      let caughtUpTo: number | null = null;
      for (let i = samples.length - 1; i >= 0; i--)
        if (samples[i]!.lsn <= replayed) {
          caughtUpTo = samples[i]!.at;
          break;
        }
      // Behind every sample kept (or just started): at least as old as the oldest one, and
      // how much more is unknown, so it serves no reads until a later check places it.
      const lagMs = now - (caughtUpTo ?? samples[0]?.at ?? now);
      lagSeconds = Math.round(lagMs) / 1000;
      state = caughtUpTo !== null && lagMs <= maxLagMs ? "streaming" : "lagging";
    } catch {
      unplaced("down");
    }
  }

  // The insert position, not pg_current_wal_lsn(): with synchronous_commit off a commit record
  // may still be in the WAL buffers, past the write position, when the commit returns.
  const readPosition = async () => {
    const [row] = rowsOf<{ lsn: string }>(
      await primary.db.execute(sql`select pg_current_wal_insert_lsn()::text as lsn`),
    );
    if (!row) throw new Error("pg_current_wal_insert_lsn() answered no row");
    return row.lsn;
  };
  const primaryPosition = afterCall(readPosition);

  async function check(): Promise<ReplicaStatus> {
    running ??= measure().then(
      () => {
        running = null;
        return status();
      },
      () => {
        running = null;
        return status();
      },
    );
    return running;
  }

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      check().finally(schedule);
    }, checkIntervalMs);
    timer.unref();
  };
  await check();
  schedule();

  return {
    database,
    maxLagMs,
    usable: () => state === "streaming",
    status,
    failed: () => unplaced("down"),
    hasReplayed: (position) => replayedAt !== null && replayedAt >= position,
    primaryPosition,
    check,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
      await database.close();
    },
  };
}
