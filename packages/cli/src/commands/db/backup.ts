import {
  applyRetention,
  assertSchedule,
  type CycleReport,
  createBackup,
  runBackupCycle,
  startBackupScheduler,
  validatePolicy,
} from "@stockroom/db/backup";
import { parseIntArg, parseNumberArg } from "../../lib/args";
import { defineLocalCommand } from "../../lib/command";
import { CliFailure } from "../../lib/exit";
import { databaseFromEnv, describe, dirArg, formatBytes, formatMs, guarded, totalRows } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "backup",
    description:
      "Dump the database to DIR/inventory_backup_YYYYMMDD_HHMMSS.sql.gz (+ .sha256); with --schedule, keep doing it",
  },
  args: {
    ...dirArg,
    keep: { type: "string", description: "Retention: keep the N newest good backups", valueHint: "n" },
    "keep-days": {
      type: "string",
      description: "Retention: keep backups younger than D days",
      valueHint: "days",
    },
    schedule: {
      type: "string",
      description:
        'Run forever on this cron pattern (e.g. "0 0 * * *", process time zone), one JSON log line per run',
      valueHint: "cron",
    },
    verify: {
      type: "boolean",
      description: "Restore each new backup into a scratch database and audit it (always on with --schedule)",
    },
  },
  async run({ args, out }) {
    const keep = parseIntArg(args.keep, "--keep", { min: 1 });
    const keepDays = parseNumberArg(args["keep-days"], "--keep-days");
    const source = databaseFromEnv();
    const dir = args.dir || "./backups";
    await guarded(async () => validatePolicy({ keep, keepDays }));

    if (args.schedule !== undefined) {
      const schedule = String(args.schedule);
      await guarded(async () => assertSchedule(schedule));
      const scheduler = startBackupScheduler({ schedule, source, dir, keep, keepDays, verify: true });
      out.note(
        `backup scheduler: "${schedule}" for ${describe(source)} into ${dir}; next run ${scheduler.nextRun()?.toISOString() ?? "never"}`,
      );
      // Runs until stopped; a run in progress finishes first.
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          out.note(`backup scheduler: ${signal}, stopping after the current run`);
          scheduler.stop().then(resolve, resolve);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      return;
    }

    if (args.verify) {
      const report = await runBackupCycle({ source, dir, keep, keepDays, verify: true });
      out.result(report, () => printCycle(report, out.line));
      if (!report.ok)
        throw new CliFailure(report.errorCode ?? "BACKUP_FAILED", report.error ?? "the backup failed", {
          hint: report.problems?.join("\n     "),
        });
      return;
    }

    const result = await guarded(() => createBackup({ source, dir }));
    const retention =
      keep !== undefined || keepDays !== undefined
        ? await guarded(() => applyRetention(dir, { keep, keepDays }))
        : null;
    out.result(
      {
        ...result,
        retention: retention && {
          deleted: retention.deleted.map((e) => e.name),
          kept: retention.kept.length,
        },
      },
      () => {
        out.line(
          `Backed up ${describe(source)} to ${result.file} (${formatBytes(result.bytes)}, ${totalRows(result.header.rowCounts)} rows) in ${formatMs(result.durationMs)}`,
        );
        out.line(`sha256 ${result.sha256}`);
        if (retention)
          out.line(
            `Retention: kept ${retention.kept.length}, deleted ${retention.deleted.length}${retention.deleted.length ? `: ${retention.deleted.map((e) => e.name).join(", ")}` : ""}`,
          );
      },
    );
  },
});

function printCycle(r: CycleReport, line: (s: string) => void) {
  if (r.file) line(`Backed up ${r.source} to ${r.file} (${formatBytes(r.bytes ?? 0)}, ${r.rows ?? 0} rows)`);
  if (r.verified !== undefined)
    line(r.verified ? "Verified: restores cleanly, ledger balanced" : "Verification FAILED");
  if (r.deleted)
    line(
      `Retention: kept ${r.kept}, deleted ${r.deleted.length}${r.deleted.length ? `: ${r.deleted.join(", ")}` : ""}`,
    );
  line(`${r.ok ? "OK" : "FAILED"} in ${formatMs(r.durationMs)}`);
}
