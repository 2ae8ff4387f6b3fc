import { postgresUnavailableReason } from "@stockroom/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { writes } from "../scenarios.js";
import { type BenchReport, FEED_HEADER, formatReport, runBench } from "../src/run";

const reason = await postgresUnavailableReason();
if (reason) console.warn(`\n[loadtest] SKIPPING the bench smoke test: ${reason}\n`);

// A smoke run of `pnpm bench --quick`: tiny dataset, 1 s runs. It proves the runner works end
// to end (seed, server, drivers, correctness checks, pgbench); timings are never asserted.
describe.skipIf(reason !== null)("pnpm bench --quick", () => {
  let report: BenchReport;
  beforeAll(async () => {
    report = await runBench({ quick: true, log: () => {} });
  }, 300_000);

  it("completes with every correctness check passing and no 5xx or socket error", () => {
    expect(report.seed.products).toBeGreaterThan(0);
    expect(report.rows.length).toBeGreaterThan(0);
    expect(report.correctness.length).toBeGreaterThan(0);
    expect(report.correctness.filter((c) => !c.ok)).toEqual([]);
    for (const row of report.rows) {
      expect({ scenario: row.scenario, connections: row.connections, status5xx: row.status5xx }).toEqual({
        scenario: row.scenario,
        connections: row.connections,
        status5xx: 0,
      });
      expect(row.socketErrors).toBe(0);
    }
  });

  it("follows every write scenario with the event feed: every ledger row's event read, in order, lag reported", () => {
    const writeRows = report.rows.filter((r) => writes(r.scenario));
    expect(writeRows.map((r) => r.scenario)).toEqual(
      expect.arrayContaining(["transfer", "sale", "checkout"]),
    );
    for (const row of writeRows) {
      const f = row.feed;
      const label = `${row.scenario}@${row.connections}`;
      expect(f, label).toBeDefined();
      // The consumer saw every event of the run: one stock.changed per ledger row written in it.
      expect([label, f!.ledgerRows > 0, f!.stockChanged]).toEqual([label, true, f!.ledgerRows]);
      expect([label, f!.consumed, f!.consumedDuringLoad + f!.backlogAtStop]).toEqual([
        label,
        f!.written,
        f!.written,
      ]);
      expect([label, f!.problems]).toEqual([label, []]);
      for (const figure of [f!.lagP50Ms, f!.lagP99Ms, f!.lagMaxMs, f!.drainMs, f!.writtenPerSec])
        expect(Number.isFinite(figure), label).toBe(true);
      expect(f!.lagP50Ms).toBeLessThanOrEqual(f!.lagP99Ms);
      expect(f!.lagP99Ms).toBeLessThanOrEqual(f!.lagMaxMs);
      expect(f!.pages).toBeGreaterThan(0);
    }
    for (const row of report.rows.filter((r) => !writes(r.scenario))) expect(row.feed).toBeUndefined();
    expect(formatReport(report)).toContain(FEED_HEADER);
  });
});
