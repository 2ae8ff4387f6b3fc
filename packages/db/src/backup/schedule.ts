import { Cron } from "croner";
import { type BackupResult, createBackup } from "./dump";
import { BackupError } from "./errors";
import { markFailed } from "./files";
import { applyRetention, type RetentionPolicy, validatePolicy } from "./retention";
import { type DatabaseTarget, describeTarget } from "./target";
import { type ScratchTarget, verifyBackup } from "./verify";

export interface CycleOptions extends RetentionPolicy {
  source: DatabaseTarget;
  dir: string;
  /** Restore the new backup into a scratch database and audit it (default true). */
  verify?: boolean;
  scratch?: ScratchTarget;
  env?: Record<string, string | undefined>;
}

/** One line of the scheduler's log: everything one run did. */
export interface CycleReport {
  time: string;
  event: "backup";
  ok: boolean;
  source: string;
  file?: string;
  bytes?: number;
  sha256?: string;
  rows?: number;
  verified?: boolean;
  problems?: string[];
  deleted?: string[];
  kept?: number;
  error?: string;
  errorCode?: string;
  durationMs: number;
}

/**
 * Backup → verify → retention. A backup that fails verification is renamed `.failed`
 * (never counted as good) and retention is skipped for that run.
 */
export async function runBackupCycle(options: CycleOptions): Promise<CycleReport> {
  const started = performance.now();
  const report: CycleReport = {
    time: new Date().toISOString(),
    event: "backup",
    ok: false,
    source: describeTarget(options.source),
    durationMs: 0,
  };
  let backup: BackupResult | undefined;
  try {
    validatePolicy(options);
    backup = await createBackup({ source: options.source, dir: options.dir, env: options.env });
    report.file = backup.name;
    report.bytes = backup.bytes;
    report.sha256 = backup.sha256;
    report.rows = Object.values(backup.header.rowCounts).reduce((a, b) => a + b, 0);
    if (options.verify ?? true) {
      const verified = await verifyBackup({ file: backup.file, scratch: options.scratch, env: options.env });
      report.verified = verified.ok;
      if (!verified.ok) {
        report.problems = verified.problems;
        const aside = await markFailed(backup.file);
        throw new BackupError("VERIFY_FAILED", `the new backup failed verification; kept as ${aside}`);
      }
    }
    if (options.keep !== undefined || options.keepDays !== undefined) {
      const retention = await applyRetention(options.dir, options);
      report.deleted = retention.deleted.map((e) => e.name);
      report.kept = retention.kept.length;
    }
    report.ok = true;
  } catch (err) {
    report.error = (err as Error).message;
    if (err instanceof BackupError) report.errorCode = err.code;
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

export interface SchedulerOptions extends CycleOptions {
  /** A cron pattern (5 or 6 fields), evaluated in the process time zone (UTC in the container). */
  schedule: string;
  /** Receives one report per run; default: one JSON line on stdout. */
  log?: (report: CycleReport) => void;
}

export interface BackupScheduler {
  nextRun(): Date | null;
  /** Stops scheduling and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/** Validates a cron pattern, with a message naming it. */
export function assertSchedule(pattern: string): void {
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (err) {
    throw new BackupError(
      "BAD_OPTION",
      `--schedule "${pattern}" is not a cron pattern: ${(err as Error).message}`,
    );
  }
}

/**
 * Runs the cycle on a cron schedule. Runs never overlap; a failed run is logged and the
 * scheduler carries on with the next one.
 */
export function startBackupScheduler(options: SchedulerOptions): BackupScheduler {
  assertSchedule(options.schedule);
  validatePolicy(options);
  const log = options.log ?? ((r: CycleReport) => process.stdout.write(`${JSON.stringify(r)}\n`));
  let running: Promise<void> | null = null;
  const job = new Cron(options.schedule, { protect: true }, async () => {
    running = (async () => {
      try {
        log(await runBackupCycle(options));
      } catch (err) {
        // runBackupCycle reports its own failures; this only guards a throwing logger.
        process.stderr.write(`backup scheduler: ${(err as Error).message}\n`);
      }
    })();
    await running;
    running = null;
  });
  return {
    nextRun: () => job.nextRun(),
    async stop() {
      job.stop();
      if (running) await running;
    },
  };
}
