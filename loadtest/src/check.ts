import type pg from "pg";

export interface Snapshot {
  /** Units per product, summed over its levels. */
  units: Map<string, number>;
  total: number;
}

export async function snapshot(client: pg.ClientBase): Promise<Snapshot> {
  const { rows } = await client.query<{ product_id: string; units: string }>(
    "select product_id, sum(quantity)::bigint::text as units from stock_levels group by product_id",
  );
  const units = new Map(rows.map((r) => [r.product_id, Number(r.units)]));
  let total = 0;
  for (const u of units.values()) total += u;
  return { units, total };
}

export interface CheckResult {
  ok: boolean;
  checkedLevels: number;
  movements: number;
  problems: string[];
}

/**
 * After write scenarios: the API's own audit must be clean, and the database must agree —
 * transfers conserve every product's units, products.total_quantity equals the sum of its
 * levels, quantity_after is the running sum in ledger order, and every transfer has exactly
 * two legs that cancel out. Fast and wrong does not count.
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
  if (after.total !== before.total)
    problems.push(`units not conserved: ${before.total} before the write scenarios, ${after.total} after`);
  let changed = 0;
  for (const [id, units] of before.units) if (after.units.get(id) !== units) changed++;
  if (changed > 0)
    problems.push(`${changed} products changed their total units (transfers must conserve them)`);

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
