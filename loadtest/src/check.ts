import { checkInvariants, invariantProblems } from "@stockroom/db";
import type pg from "pg";

export interface Snapshot {
  /** Units per product, summed over its levels. */
  units: Map<string, number>;
  total: number;
  /** The last ledger row at the time. */
  seq: number;
}

export async function snapshot(client: pg.ClientBase): Promise<Snapshot> {
  const { rows } = await client.query<{ product_id: string; units: string }>(
    "select product_id, sum(quantity)::bigint::text as units from stock_levels group by product_id",
  );
  const units = new Map(rows.map((r) => [r.product_id, Number(r.units)]));
  let total = 0;
  for (const u of units.values()) total += u;
  const { rows: last } = await client.query<{ seq: string }>(
    "select coalesce(max(seq), 0)::text as seq from movements",
  );
  return { units, total, seq: Number(last[0]!.seq) };
}

export interface CheckResult {
  ok: boolean;
  checkedLevels: number;
  movements: number;
  problems: string[];
  /** How long the API's audit (the whole ledger against every level) took to answer. */
  auditMs?: number;
  /** How long the whole check took (audit, snapshot, every invariant). */
  ms: number;
}

/**
 * After write scenarios: the API's own audit must be clean, and the database must agree —
 * every product's units changed by exactly the adjustments (sales, receipts) the ledger
 * recorded since the snapshot (transfers conserve them), and every invariant of
 * @stockroom/db's checkInvariants holds. Fast and wrong does not count.
 */
export async function checkCorrectness(
  client: pg.ClientBase,
  /** The running server, whose audit endpoint is asked first; null checks the SQL only. */
  api: { url: string; apiKey: string } | null,
  before: Snapshot,
): Promise<CheckResult> {
  const started = performance.now();
  const problems: string[] = [];
  let checkedLevels = 0;
  let auditMs: number | undefined;
  if (api) {
    const res = await fetch(`${api.url}/api/inventory/audit`, {
      headers: { authorization: `Bearer ${api.apiKey}` },
    });
    const audit = (await res.json()) as {
      checkedLevels: number;
      discrepancies: Array<{ productId: string; storeId: string; quantity: number; ledgerSum: number }>;
    };
    auditMs = Math.round(performance.now() - started);
    checkedLevels = audit.checkedLevels;
    if (res.status !== 200) problems.push(`GET /api/inventory/audit answered ${res.status}`);
    else if (audit.discrepancies.length > 0)
      problems.push(
        `audit found ${audit.discrepancies.length} discrepancies, e.g. ${JSON.stringify(audit.discrepancies[0])}`,
      );
  }

  const after = await snapshot(client);
  const { rows: adjusted } = await client.query<{ product_id: string; delta: string }>(
    "select product_id, sum(delta)::bigint::text as delta from movements where seq > $1 and kind = 'adjustment' group by product_id",
    [before.seq],
  );
  const expected = new Map(before.units);
  let adjustedTotal = 0;
  for (const a of adjusted) {
    expected.set(a.product_id, (expected.get(a.product_id) ?? 0) + Number(a.delta));
    adjustedTotal += Number(a.delta);
  }
  if (after.total !== before.total + adjustedTotal)
    problems.push(
      `units not conserved: ${before.total} before the write scenarios, ${after.total} after, ${adjustedTotal} adjusted`,
    );
  let changed = 0;
  for (const id of new Set([...expected.keys(), ...after.units.keys()]))
    if ((after.units.get(id) ?? 0) !== (expected.get(id) ?? 0)) changed++;
  if (changed > 0)
    problems.push(
      `${changed} products whose units changed by more than their adjustments (transfers conserve them)`,
    );

  // The invariants every check shares (ledger sums, running sums, transfer legs, totals, counters).
  const invariants = await checkInvariants(async (text) => (await client.query(text)).rows);
  problems.push(...invariantProblems(invariants));
  const { rows: m } = await client.query<{ n: number }>("select count(*)::int as n from movements");
  return {
    ok: problems.length === 0,
    checkedLevels,
    movements: m[0]!.n,
    problems,
    auditMs,
    ms: Math.round(performance.now() - started),
  };
}
