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
}

/**
 * After write scenarios: the API's own audit must be clean, and the database must agree —
 * every product's units changed by exactly the adjustments (sales, receipts) the ledger
 * recorded since the snapshot (transfers conserve them), products.total_quantity equals the
 * sum of its levels, quantity_after is the running sum in ledger order, and every transfer
 * has exactly two legs that cancel out. Fast and wrong does not count.
 */
export async function checkCorrectness(
  client: pg.ClientBase,
  /** The running server, whose audit endpoint is asked first; null checks the SQL only. */
  api: { url: string; apiKey: string } | null,
  before: Snapshot,
): Promise<CheckResult> {
  const problems: string[] = [];
  let checkedLevels = 0;
  if (api) {
    const res = await fetch(`${api.url}/api/inventory/audit`, {
      headers: { authorization: `Bearer ${api.apiKey}` },
    });
    const audit = (await res.json()) as {
      checkedLevels: number;
      discrepancies: Array<{ productId: string; storeId: string; quantity: number; ledgerSum: number }>;
    };
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

  const { rows } = await client.query<{ totals: number; running: number; legs: number; negative: number }>(`
    select
      (select count(*)::int from products p
        where p.total_quantity <> coalesce((select sum(quantity) from stock_levels l where l.product_id = p.id), 0)) as totals,
      (select count(*)::int from (
        select quantity_after, sum(delta) over (partition by product_id, store_id order by seq) as run from movements
      ) r where r.run <> r.quantity_after) as running,
      (select count(*)::int from (
        select transfer_id from movements where transfer_id is not null
        group by transfer_id having count(*) <> 2 or sum(delta) <> 0
      ) t) as legs,
      (select count(*)::int from stock_levels where quantity < 0) as negative`);
  const r = rows[0]!;
  if (r.totals > 0)
    problems.push(`${r.totals} products whose total_quantity differs from the sum of their levels`);
  if (r.running > 0) problems.push(`${r.running} ledger rows whose quantity_after is not the running sum`);
  if (r.legs > 0) problems.push(`${r.legs} transfers without exactly two cancelling legs`);
  if (r.negative > 0) problems.push(`${r.negative} negative stock levels`);
  const { rows: m } = await client.query<{ n: number }>("select count(*)::int as n from movements");
  return { ok: problems.length === 0, checkedLevels, movements: m[0]!.n, problems };
}
