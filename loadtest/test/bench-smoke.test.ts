import { postgresUnavailableReason } from "@stockroom/db/testing";
import { describe, expect, it } from "vitest";
import { runBench } from "../src/run";

const reason = await postgresUnavailableReason();
if (reason) console.warn(`\n[loadtest] SKIPPING the bench smoke test: ${reason}\n`);

// A smoke run of `pnpm bench --quick`: tiny dataset, 1 s runs. It proves the runner works end
// to end (seed, server, drivers, correctness checks, pgbench); timings are never asserted.
describe.skipIf(reason !== null)("pnpm bench --quick", () => {
  it("completes with every correctness check passing and no 5xx or socket error", async () => {
    const lines: string[] = [];
    const report = await runBench({ quick: true, log: (l) => lines.push(l) });
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
});
