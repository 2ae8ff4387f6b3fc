import { type ScratchTarget, verdict, verifyBackup } from "@stockroom/db/backup";
import { defineLocalCommand } from "../../lib/command";
import { CliFailure, UsageError } from "../../lib/exit";
import { formatMs, guarded, totalRows } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "verify",
    description:
      "Restore a backup into a scratch database, audit the ledger and row counts, drop the scratch; exit 1 on any problem",
  },
  args: {
    file: { type: "positional", description: "The .sql.gz backup file", required: true },
    scratch: {
      type: "string",
      description:
        'PostgreSQL server URL to create the scratch database on, or "pglite" (default: DATABASE_URL\'s server, else PGlite in memory)',
      valueHint: "url|pglite",
    },
  },
  async run({ args, out }) {
    let scratch: ScratchTarget | undefined;
    if (args.scratch === "pglite") scratch = { kind: "pglite" };
    else if (args.scratch !== undefined) {
      if (!/^postgres(ql)?:\/\//.test(String(args.scratch)))
        throw new UsageError(`--scratch must be a postgres:// URL or "pglite", got '${args.scratch}'`);
      scratch = { kind: "postgres", url: String(args.scratch) };
    }
    const report = await guarded(() => verifyBackup({ file: String(args.file), scratch }));
    out.result(report, () => {
      const mark = (ok: boolean) => (ok ? "ok  " : "FAIL");
      out.line(`${mark(report.checksum === "ok")} checksum ${report.checksum}`);
      if (report.restored) {
        out.line(
          `${mark(true)} restored into a scratch ${report.restoredInto} database (dropped afterwards): ` +
            `${totalRows(report.rowCounts)} rows in ${Object.keys(report.rowCounts).length} tables`,
        );
        const counted = report.header !== null && !report.problems.some((p) => p.startsWith("table "));
        out.line(
          report.header
            ? `${mark(counted)} row counts match those recorded when the dump was taken (${report.header.createdAt})`
            : "skip row counts: the dump has no stockroom-backup header",
        );
        out.line(
          `${mark(!report.problems.some((p) => p.includes("migrations")))} migrations: ${report.migrationsInDump} in the dump, ${report.migrationsApplied} applied forward`,
        );
      } else out.line("FAIL restore into a scratch database: not done (see below)");
      if (report.audit)
        out.line(
          `${mark(report.audit.discrepancies.length === 0 && report.audit.runningSumErrors === 0 && report.audit.negativeLevels === 0)} ` +
            `ledger audit: ${report.audit.checkedLevels} stock levels, ${report.audit.discrepancies.length} discrepancies, ` +
            `${report.audit.runningSumErrors} running-sum errors`,
        );
      for (const p of report.problems) out.line(`  - ${p}`);
      out.line(`${verdict(report)} [${formatMs(report.durationMs)}]`);
    });
    if (!report.ok)
      throw new CliFailure("VERIFY_FAILED", `${report.problems.length} problem(s) in ${report.file}`, {
        hint: "Do not rely on this backup; take a new one and verify it.",
      });
  },
});
