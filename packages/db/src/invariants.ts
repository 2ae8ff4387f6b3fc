import { sql } from "drizzle-orm";
import { type Queryable, rowsOf } from "./client";

/**
 * The invariants of DESIGN.md as SQL, written once. The audit endpoint, the backup verifier,
 * the bench's correctness check and the tests all ask these queries; none keeps its own copy.
 * Tables are named with their schema, so a verifier can run them on a restored copy.
 */

/** Runs one statement and returns its rows: pg.Client, PGlite and drizzle all fit. */
export type QueryFn = <T = Record<string, unknown>>(text: string) => Promise<T[]>;

/** A QueryFn over a drizzle handle (the server's pool, a transaction, PGlite). */
export const queryOf =
  (db: Queryable): QueryFn =>
  async <T>(text: string) =>
    rowsOf<T>(await db.execute(sql.raw(text)));

/** Ledger seqs (after, upTo]: the movements an incremental audit has not verified yet. */
export interface LedgerRange {
  after: number;
  upTo: number;
}

const seqRange = (r: LedgerRange) => `seq > ${Math.trunc(r.after)} and seq <= ${Math.trunc(r.upTo)}`;

/**
 * 2. Levels whose quantity is not the sum of their ledger rows, and ledgers with no level:
 * over the whole database, or only for the levels with movements in `range` (their whole
 * ledger summed, through the (product_id, store_id, seq) index).
 */
export function ledgerSumsSql(range?: LedgerRange): string {
  // A narrow range (an audit after some thousands of changes): each touched level's ledger is
  // summed through its index and its level found by key. The aggregate form below led the
  // planner to expect ~100 times the touched levels and to scan every level instead (on 2.2 M
  // levels and 5 M ledger rows, 3,000 new rows: 1.5 s, against 0.1 s this way). A wide range
  // (over a tenth of the ledger, such as the first audit) reads the ledger once, aggregated.
  const narrow = range !== undefined && (range.upTo - range.after) * 10 <= range.upTo;
  const sums = narrow
    ? `touched as (select distinct product_id, store_id from public.movements where ${seqRange(range)}),
    sums as (
      select t.product_id, t.store_id,
             (select sum(m.delta) from public.movements m
               where m.product_id = t.product_id and m.store_id = t.store_id) as s
        from touched t
    )`
    : `sums as (
      select product_id, store_id, sum(delta) as s from public.movements ${
        range
          ? `where (product_id, store_id) in (select product_id, store_id from public.movements where ${seqRange(range)})`
          : ""
      } group by product_id, store_id
    )`;
  return `with ${sums}
    select l.product_id::text as product_id, l.store_id, l.quantity, coalesce(s.s, 0) as ledger_sum
      from public.stock_levels l ${range ? "join" : "left join"} sums s using (product_id, store_id)
     where l.quantity <> coalesce(s.s, 0)
    union all
    select s.product_id::text, s.store_id, 0, s.s
      from sums s
     where s.s <> 0
       and not exists (select 1 from public.stock_levels l where l.product_id = s.product_id and l.store_id = s.store_id)
    order by 1, 2
    limit 1000`;
}

export const INVARIANT_SQL = {
  /** 2. Levels whose quantity is not the sum of their ledger rows, and ledgers with no level. */
  ledgerSums: ledgerSumsSql(),
  /** 2. Ledger rows whose quantity_after is not the running sum of their level's deltas. */
  runningSums: `select count(*)::int as n from (
      select quantity_after, sum(delta) over (partition by product_id, store_id order by seq) as running
        from public.movements
    ) m where m.quantity_after <> m.running`,
  /** 1. Levels (and ledger rows) below zero; the CHECK constraints make this impossible. */
  negative: `select (select count(*) from public.stock_levels where quantity < 0)
      + (select count(*) from public.movements where quantity_after < 0) as n`,
  /** 3. Transfers that are not exactly one out-leg and one in-leg of the same size. */
  unbalancedTransfers: `select count(*)::int as n from (
      select transfer_id from public.movements where transfer_id is not null group by transfer_id
      having count(*) <> 2 or sum(delta) <> 0
          or count(*) filter (where kind = 'transfer_out') <> 1
          or count(*) filter (where kind = 'transfer_in') <> 1
    ) t`,
  /**
   * 5. Levels whose `reserved` is not the sum of their open reservation lines: the levels that
   * hold units (a partial index) against the open lines (another), so a chain's millions of
   * levels that hold nothing are not read. Open lines of a level that does not exist count too.
   */
  reservedLevels: `select coalesce(l.product_id, h.product_id)::text as product_id,
           coalesce(l.store_id, h.store_id) as store_id,
           coalesce(l.reserved, 0) as reserved, coalesce(h.units, 0) as held
      from (select product_id, store_id, reserved from public.stock_levels where reserved <> 0) l
      full join (select r.product_id, r.store_id, sum(r.quantity) as units from public.reservation_lines r
                  where r.open group by r.product_id, r.store_id) h
        on h.product_id = l.product_id and h.store_id = l.store_id
     where coalesce(l.reserved, 0) <> coalesce(h.units, 0)
     order by 1, 2
     limit 1000`,
  /**
   * 5. Levels whose `reserved` is not the sum of their open reservation lines, open lines of
   * reservations that are no longer active, and levels holding more than they have (the
   * CHECK constraint makes the last impossible).
   */
  reserved: `select count(*)::int as n from (
      select 1 from public.stock_levels l
       where l.reserved <> coalesce((select sum(r.quantity) from public.reservation_lines r
                                      where r.product_id = l.product_id and r.store_id = l.store_id and r.open), 0)
          or l.reserved < 0 or l.reserved > l.quantity
      union all
      select 1 from public.reservation_lines r join public.reservations v on v.id = r.reservation_id
       where r.open and v.status <> 'active'
    ) x`,
  /**
   * 6. Levels whose `incoming` is not what is in transit towards them: the units of shipments
   * on their way (in_transit, partially_received) not yet received, rejected or written off.
   */
  incomingLevels: `select coalesce(l.product_id, t.product_id)::text as product_id,
           coalesce(l.store_id, t.store_id) as store_id,
           coalesce(l.incoming, 0) as incoming, coalesce(t.units, 0) as in_transit
      from (select product_id, store_id, incoming from public.stock_levels where incoming <> 0) l
      full join (select s.target_store_id as store_id, x.product_id,
                        sum(x.quantity - x.received - x.rejected - x.lost) as units
                   from public.shipments s join public.shipment_lines x on x.shipment_id = s.id
                  where s.status in ('in_transit', 'partially_received')
                  group by s.target_store_id, x.product_id) t
        on t.product_id = l.product_id and t.store_id = l.store_id
     where coalesce(l.incoming, 0) <> coalesce(t.units, 0)
     order by 1, 2
     limit 1000`,
  /**
   * 6. Shipment lines whose ledger disagrees with them, and shipment ledger rows of no line:
   * once shipped, exactly `quantity` units left the source (transfer_out) and `received`
   * units joined the target (transfer_in), and nothing else is on the record; a received or
   * closed shipment has nothing in transit, and only a closed one lost any. With the levels'
   * incoming right, this is conservation: on hand plus in transit changes only by adjustments,
   * counts, sales, rejections and write-offs.
   */
  shipments: `select count(*)::int as n from (
      select 1 from public.shipment_lines x
        join public.shipments s on s.id = x.shipment_id
        left join (
          select m.shipment_id, m.product_id,
                 sum(m.delta) filter (where m.kind = 'transfer_out' and m.store_id = h.source_store_id) as sent,
                 sum(m.delta) filter (where m.kind = 'transfer_in' and m.store_id = h.target_store_id) as arrived,
                 count(*) filter (where not ((m.kind = 'transfer_out' and m.store_id = h.source_store_id)
                                          or (m.kind = 'transfer_in' and m.store_id = h.target_store_id))) as other
            from public.movements m join public.shipments h on h.id = m.shipment_id
           group by m.shipment_id, m.product_id
        ) m on m.shipment_id = x.shipment_id and m.product_id = x.product_id
       where coalesce(-m.sent, 0) <> case when s.status in ('draft', 'cancelled') then 0 else x.quantity end
          or coalesce(m.arrived, 0) <> x.received
          or coalesce(m.other, 0) <> 0
          or (s.status in ('received', 'closed') and x.quantity - x.received - x.rejected - x.lost <> 0)
          or (s.status <> 'closed' and x.lost <> 0)
      union all
      select 1 from public.movements m
       where m.shipment_id is not null
         and not exists (select 1 from public.shipment_lines x
                          where x.shipment_id = m.shipment_id and x.product_id = m.product_id)
    ) e`,
  /** Products whose kept total is not the sum of their levels. */
  totals: `select count(*)::int as n from public.products p
     where p.total_quantity <> coalesce((select sum(quantity) from public.stock_levels l where l.product_id = p.id), 0)`,
  /** The kept counts (category_counts, store_counts, store_category_counts) against a recount. */
  counters: `with live as (
      select l.* from public.stock_levels l join public.products p on p.id = l.product_id and p.deleted_at is null
    ),
    cat as (
      select p.category, count(*) filter (where p.deleted_at is null) as products
      from public.products p group by p.category
    ),
    -- One pass over the live levels, grouped; never a count per store (and category), which
    -- rescans them all for each of the stores × categories pairs.
    per_pair as (
      select l.store_id, l.category, count(*) as levels,
             count(*) filter (where l.quantity - l.reserved < l.min_stock) as below_min
      from live l group by l.store_id, l.category
    ),
    pair as (
      select s.id as store_id, c.category, coalesce(b.levels, 0) as levels, coalesce(b.below_min, 0) as below_min
      from public.stores s cross join (select distinct category from public.products) c
      left join per_pair b on b.store_id = s.id and b.category = c.category
    ),
    per_store as (
      select l.store_id, count(*) as levels, count(*) filter (where l.quantity - l.reserved < l.min_stock) as below_min
      from live l group by l.store_id
    ),
    store as (
      select s.id as store_id, coalesce(p.levels, 0) as levels, coalesce(p.below_min, 0) as below_min
      from public.stores s left join per_store p on p.store_id = s.id
    )
    -- Full joins: a counter row with no recount beside it (a category no product has) must
    -- hold zeros too.
    select 'category ' || coalesce(cat.category, c.category) as counter from cat
      full join public.category_counts c on c.category = cat.category
     where coalesce(c.products, 0) <> coalesce(cat.products, 0)
    union all
    select 'store and category ' || coalesce(pair.store_id, k.store_id) || '/' || coalesce(pair.category, k.category)
      from pair
      full join public.store_category_counts k on k.store_id = pair.store_id and k.category = pair.category
     where coalesce(k.levels, 0) <> coalesce(pair.levels, 0) or coalesce(k.below_min, 0) <> coalesce(pair.below_min, 0)
    union all
    select 'store ' || coalesce(store.store_id, s.store_id) from store
      full join public.store_counts s on s.store_id = store.store_id
     where coalesce(s.levels, 0) <> coalesce(store.levels, 0) or coalesce(s.below_min, 0) <> coalesce(store.below_min, 0)
    order by 1`,
} as const;

export interface LedgerDiscrepancy {
  productId: string;
  storeId: string;
  quantity: number;
  ledgerSum: number;
}

export interface IncomingDiscrepancy {
  productId: string;
  storeId: string;
  /** The level's incoming units. */
  incoming: number;
  /** The units its shipments have in transit towards it. */
  inTransit: number;
}

export interface ReservedDiscrepancy {
  productId: string;
  storeId: string;
  /** The level's reserved units. */
  reserved: number;
  /** The units its open reservation lines hold. */
  held: number;
}

/**
 * The ledger audit: every level against the sum of its ledger rows, or (with `range`) only
 * the levels with movements in that range, each against its whole ledger; and every level's
 * reserved units against its open reservation lines and its incoming units against the
 * shipments in transit towards it (always all of them).
 */
export async function ledgerAudit(
  query: QueryFn,
  range?: LedgerRange,
): Promise<{
  checkedLevels: number;
  discrepancies: LedgerDiscrepancy[];
  reservedDiscrepancies: ReservedDiscrepancy[];
  incomingDiscrepancies: IncomingDiscrepancy[];
}> {
  const [checked] = await query<{ n: string | number }>(
    range
      ? `select count(*) as n from (select distinct product_id, store_id from public.movements where ${seqRange(range)}) t`
      : "select count(*) as n from public.stock_levels",
  );
  const rows = await query<{
    product_id: string;
    store_id: string;
    quantity: string | number;
    ledger_sum: string | number;
  }>(ledgerSumsSql(range));
  const reserved = await query<{
    product_id: string;
    store_id: string;
    reserved: string | number;
    held: string | number;
  }>(INVARIANT_SQL.reservedLevels);
  const incoming = await query<{
    product_id: string;
    store_id: string;
    incoming: string | number;
    in_transit: string | number;
  }>(INVARIANT_SQL.incomingLevels);
  return {
    incomingDiscrepancies: incoming.map((d) => ({
      productId: d.product_id,
      storeId: d.store_id,
      incoming: Number(d.incoming),
      inTransit: Number(d.in_transit),
    })),
    reservedDiscrepancies: reserved.map((d) => ({
      productId: d.product_id,
      storeId: d.store_id,
      reserved: Number(d.reserved),
      held: Number(d.held),
    })),
    checkedLevels: Number(checked?.n ?? 0),
    discrepancies: rows.map((d) => ({
      productId: d.product_id,
      storeId: d.store_id,
      quantity: Number(d.quantity),
      ledgerSum: Number(d.ledger_sum),
    })),
  };
}

export interface AuditWatermark {
  /** Every level with movements up to this seq matched its ledger when last checked. */
  seq: number;
  verifiedAt: string | null;
}

export async function readAuditWatermark(query: QueryFn): Promise<AuditWatermark> {
  const [row] = await query<{ seq: string | number; at: string | Date | null }>(
    "select verified_seq as seq, verified_at as at from public.audit_watermark where id = 1",
  );
  return { seq: Number(row?.seq ?? 0), verifiedAt: row?.at ? new Date(row.at).toISOString() : null };
}

/**
 * The ledger's frontier: its highest seq at a moment when no writer holds a lower one
 * uncommitted. A ledger seq is taken inside the ledger's INSERT, or by stockroom_apply
 * just before one, after locking the table the same way: either holds ROW EXCLUSIVE on the
 * table until its transaction ends; SHARE mode waits for every such writer and keeps new
 * ones out while the maximum is read (an index probe), so every seq up to the answer is
 * committed or rolled back for good. Runs in the caller's transaction, which should end at once.
 */
export async function ledgerFrontier(query: QueryFn, lockTimeoutMs = 5000): Promise<number> {
  await query(`set local lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
  await query("lock table public.movements in share mode");
  const [row] = await query<{ seq: string | number }>(
    "select coalesce(max(seq), 0) as seq from public.movements",
  );
  return Number(row?.seq ?? 0);
}

/** Moves the watermark forward (never back: audits may overlap) and answers where it stands. */
export async function advanceAuditWatermark(
  query: QueryFn,
  seq: number,
  mode: string,
): Promise<AuditWatermark> {
  const [row] = await query<{ seq: string | number; at: string | Date }>(
    `insert into public.audit_watermark as w (id, verified_seq, verified_at, mode)
       values (1, ${Math.trunc(seq)}, now(), '${mode === "full" ? "full" : "incremental"}')
     on conflict (id) do update set
       verified_seq = greatest(w.verified_seq, excluded.verified_seq),
       verified_at = excluded.verified_at, mode = excluded.mode
     returning verified_seq as seq, verified_at as at`,
  );
  return { seq: Number(row?.seq ?? seq), verifiedAt: new Date(row?.at ?? Date.now()).toISOString() };
}

export interface InvariantReport {
  checkedLevels: number;
  discrepancies: LedgerDiscrepancy[];
  reservedDiscrepancies: ReservedDiscrepancy[];
  incomingDiscrepancies: IncomingDiscrepancy[];
  runningSumErrors: number;
  negativeLevels: number;
  unbalancedTransfers: number;
  totalMismatches: number;
  /** Levels whose reserved units disagree with their open reservation lines. */
  reservedErrors: number;
  /** Shipment lines whose ledger rows or counts disagree with them (see INVARIANT_SQL.shipments). */
  shipmentErrors: number;
  /** The kept counters that differ from a recount, named ("store s1", "category tools"). */
  counterMismatches: string[];
}

const count = async (query: QueryFn, text: string) =>
  Number((await query<{ n: string | number }>(text))[0]?.n ?? 0);

/** Every invariant, checked on the whole database. */
export async function checkInvariants(query: QueryFn): Promise<InvariantReport> {
  const audit = await ledgerAudit(query);
  return {
    ...audit,
    runningSumErrors: await count(query, INVARIANT_SQL.runningSums),
    negativeLevels: await count(query, INVARIANT_SQL.negative),
    unbalancedTransfers: await count(query, INVARIANT_SQL.unbalancedTransfers),
    totalMismatches: await count(query, INVARIANT_SQL.totals),
    reservedErrors: await count(query, INVARIANT_SQL.reserved),
    shipmentErrors: await count(query, INVARIANT_SQL.shipments),
    counterMismatches: (await query<{ counter: string }>(INVARIANT_SQL.counters)).map((r) => r.counter),
  };
}

/** The report as sentences, one per broken invariant; empty when everything holds. */
export function invariantProblems(report: InvariantReport): string[] {
  const problems: string[] = [];
  for (const d of report.discrepancies.slice(0, 20))
    problems.push(
      `ledger: product ${d.productId} in store ${d.storeId} has quantity ${d.quantity} but its movements sum to ${d.ledgerSum}`,
    );
  if (report.discrepancies.length > 20)
    problems.push(`ledger: ${report.discrepancies.length - 20} more discrepancies`);
  if (report.runningSumErrors > 0)
    problems.push(`ledger: ${report.runningSumErrors} movements whose quantity_after is not the running sum`);
  if (report.negativeLevels > 0) problems.push(`ledger: ${report.negativeLevels} negative stock levels`);
  if (report.unbalancedTransfers > 0)
    problems.push(`ledger: ${report.unbalancedTransfers} transfers without exactly two cancelling legs`);
  if (report.totalMismatches > 0)
    problems.push(
      `totals: ${report.totalMismatches} products whose total differs from the sum of their levels`,
    );
  if (report.reservedErrors > 0)
    problems.push(
      `reservations: ${report.reservedErrors} levels or lines where reserved units disagree with the open reservation lines`,
    );
  for (const d of report.incomingDiscrepancies.slice(0, 20))
    problems.push(
      `shipments: product ${d.productId} in store ${d.storeId} has ${d.incoming} incoming but ${d.inTransit} in transit towards it`,
    );
  if (report.shipmentErrors > 0)
    problems.push(
      `shipments: ${report.shipmentErrors} shipment lines or ledger rows where shipped, received or in transit disagree with the ledger`,
    );
  for (const c of report.counterMismatches.slice(0, 20))
    problems.push(`counters: ${c} differs from a recount`);
  return problems;
}
