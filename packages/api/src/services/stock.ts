import {
  type movements,
  pgConstraint,
  pgErrorCode,
  type Queryable,
  rowsOf,
  stockLevels,
} from "@stockroom/db";
import { sql } from "drizzle-orm";
import { AppError, notFound } from "../errors";
import type { TMovement, TReason, TStockLevel } from "../routers/inventory/level.types";
import { executeNamed, isoOf, Statement } from "./named";

type LevelRow = {
  product_id: string;
  sku: string;
  name: string;
  category: string;
  price: string;
  store_id: string;
  quantity: number;
  min_stock: number;
  updated_at: Date | string;
};

export const toLevel = (r: LevelRow): TStockLevel => ({
  productId: r.product_id,
  sku: r.sku,
  name: r.name,
  category: r.category,
  price: Number(r.price),
  storeId: r.store_id,
  quantity: Number(r.quantity),
  minStock: Number(r.min_stock),
  belowMin: Number(r.quantity) < Number(r.min_stock),
  updatedAt: isoOf(r.updated_at),
});

type MovementRow = typeof movements.$inferSelect;

export const toMovement = (m: MovementRow): TMovement => ({
  id: m.id,
  productId: m.productId,
  storeId: m.storeId,
  kind: m.kind,
  delta: m.delta,
  quantityAfter: m.quantityAfter,
  reason: m.reason,
  reference: m.reference,
  transferId: m.transferId,
  actor: m.actor,
  createdAt: m.createdAt.toISOString(),
});

/** Levels joined with their product, for answers. */
export async function readLevels(
  db: Queryable,
  productId: string,
  storeIds: string[],
): Promise<TStockLevel[]> {
  const rows = rowsOf<LevelRow>(
    await db.execute(sql`
      select l.product_id, p.sku, p.name, p.category, p.price, l.store_id, l.quantity, l.min_stock, l.updated_at
      from stock_levels l join products p on p.id = l.product_id
      where l.product_id = ${productId} and l.store_id in ${storeIds}
      order by l.store_id`),
  );
  return rows.map(toLevel);
}

/** node-postgres parses text[]; PGlite may hand back the literal. */
function parseTextArray(v: string[] | string | null): string[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  return v
    .replace(/^\{|\}$/g, "")
    .split(",")
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ""));
}

type Locked = Map<string, { quantity: number; minStock: number }>;

/**
 * One round trip: takes row locks on the product's levels in the given stores, in store-id
 * order so that concurrent transfers in opposite directions queue instead of deadlocking,
 * and checks in the same statement that the product and the stores exist and are live
 * (naming the first one missing). Levels in `create` that do not exist yet are inserted at
 * quantity 0 and locked again, which costs two more round trips only the first time.
 */
async function lockLevels(
  db: Queryable,
  productId: string,
  storeIds: string[],
  create: string[],
): Promise<Locked> {
  const ordered = [...storeIds].sort();
  const lock = async () => {
    const [row] = rowsOf<{
      product: boolean;
      stores: string[] | string | null;
      levels: Array<{ s: string; q: number; m: number }> | string | null;
    }>(
      await executeNamed(
        db,
        sql`
        with locked as materialized (
          select store_id, quantity, min_stock from stock_levels
          where product_id = ${productId} and store_id in ${ordered}
          order by store_id collate "C"
          for update
        )
        select
          (select json_agg(json_build_object('s', store_id, 'q', quantity, 'm', min_stock)) from locked) as levels,
          exists(select 1 from products where id = ${productId} and deleted_at is null) as product,
          array(select id from stores where id in ${ordered} and deleted_at is null) as stores`,
      ),
    );
    if (!row?.product) throw notFound("Product", productId);
    const found = new Set(parseTextArray(row.stores));
    for (const id of storeIds) if (!found.has(id)) throw notFound("Store", id);
    const levels = typeof row.levels === "string" ? JSON.parse(row.levels) : (row.levels ?? []);
    return new Map(
      (levels as Array<{ s: string; q: number; m: number }>).map((l) => [
        l.s,
        { quantity: Number(l.q), minStock: Number(l.m) },
      ]),
    ) as Locked;
  };
  const locked = await lock();
  const missing = create.filter((id) => !locked.has(id)).sort();
  if (missing.length === 0) return locked;
  await db
    .insert(stockLevels)
    .values(missing.map((storeId) => ({ productId, storeId })))
    .onConflictDoNothing();
  return lock();
}

export const insufficient = (storeId: string, available: number, required: number) =>
  new AppError(
    "INSUFFICIENT_STOCK",
    `Insufficient stock in store ${storeId}. Available: ${available}, Required: ${required}`,
  );

const stale = (storeId: string, expected: number, actual: number) =>
  new AppError(
    "STALE_QUANTITY",
    `The level in store ${storeId} is ${actual}, not the expected ${expected}; it changed meanwhile. Re-read and retry.`,
  );

interface LedgerEntry {
  storeId: string;
  kind: MovementRow["kind"];
  delta: number;
  reason?: string | null;
}

interface Applied {
  movements: TMovement[];
  /** The changed levels joined with their product, by store id. */
  levels: Map<string, TStockLevel>;
}

type AppliedRow = LevelRow & {
  id: string;
  kind: MovementRow["kind"];
  delta: number;
  quantity_after: number;
  reason: string | null;
  reference: string | null;
  transfer_id: string | null;
  actor: string | null;
  created_at: Date | string;
};

/**
 * One round trip for the whole change: updates the levels, writes their ledger rows (in
 * entry order) and the product's running total, and returns the movements with the new
 * levels joined with their product.
 *
 * Inside a transaction the levels must already be locked by lockLevels. `standalone` makes
 * the statement safe on its own, outside any transaction: it checks that the product and
 * the stores are live, takes the row locks itself (in store-id order), computes each new
 * quantity with stockroom_take, which refuses an overdraft with the latest committed
 * quantity it was judged on, and aborts the whole statement through stockroom_require
 * unless every level was there to change.
 */
async function applyDeltas(
  db: Queryable,
  productId: string,
  entries: LedgerEntry[],
  common: { reference?: string | null; transferId?: string | null; actor: string | null },
  standalone = false,
  /** Standalone, one entry: refuse (stockroom_expect) unless the level holds exactly this. */
  expected?: number,
): Promise<Applied> {
  const st = new Statement();
  const product = st.p(productId);
  const totalDelta = entries.reduce((s, e) => s + e.delta, 0);
  // Listed in store-id order, like the locks: the rows (and the triggers that keep
  // store_counts) are then visited in one global order.
  const values = entries
    .map((e, n) => ({ e, n }))
    .sort((a, b) => (a.e.storeId < b.e.storeId ? -1 : a.e.storeId > b.e.storeId ? 1 : 0))
    .map(
      ({ e, n }) =>
        `(${st.p(n)}::int, ${st.p(e.storeId)}::varchar, ${st.p(e.kind)}::movement_kind, ${st.p(e.delta)}::int, ${st.p(e.reason ?? null)}::varchar)`,
    )
    .join(", ");
  // Every parameter must appear in the text (PostgreSQL must infer its type): added only if used.
  const storeIds = standalone
    ? [...new Set(entries.map((e) => e.storeId))].map((id) => st.p(id)).join(", ")
    : "";
  // Standalone, the levels are locked first, in store-id order, by `locked` below: its count
  // is a condition that does not depend on the row, so PostgreSQL evaluates it (and takes
  // every lock, in order) before the UPDATE changes its first row. Left to the UPDATE alone,
  // the locks follow the scan, whose order can be the rows' physical order and differ from
  // one connection's plan to another's: two transfers could then deadlock.
  const guard = standalone
    ? ` and (select count(*) from locked) = ${entries.length}
        and exists (select 1 from products where id = ${product} and deleted_at is null)
        and (select count(*) from stores where id in (${storeIds}) and deleted_at is null) = ${entries.length}`
    : "";
  const lockFirst = standalone
    ? `locked as materialized (
        select store_id from stock_levels where product_id = ${product} and store_id in (${storeIds})
        order by store_id collate "C" for update
      ), `
    : "";
  const bumpTotal =
    totalDelta === 0
      ? ""
      : `, total as (
          update products set total_quantity = total_quantity + ${st.p(totalDelta)}::int where id = ${product} returning 1
        )`;
  const reference = st.p(common.reference ?? null);
  const transferId = st.p(common.transferId ?? null);
  const actor = st.p(common.actor);
  // Standalone, an overdraft fails the statement with the quantity it was refused on.
  const current =
    standalone && expected !== undefined
      ? `stockroom_expect(l.quantity, ${st.p(expected)}::int, l.store_id)`
      : "l.quantity";
  const newQuantity = standalone ? `stockroom_take(${current}, d.delta, l.store_id)` : "l.quantity + d.delta";
  const answer = `select m.seq, m.id, m.kind, m.delta, m.quantity_after, m.reason, m.reference, m.transfer_id, m.actor,
             m.created_at, c.store_id, c.quantity, c.min_stock, c.updated_at, p.id as product_id, p.sku, p.name,
             p.category, p.price
      from ledger m join changed c on c.store_id = m.store_id join products p on p.id = ${product}`;
  // Standalone, the check is the outer row of a lateral join, so it is evaluated even when
  // nothing changed (a WHERE on the answer's rows would then never run).
  const main = standalone
    ? `select x.* from (select stockroom_require((select count(*) from changed) = ${entries.length}, 'levels') as ok) r
       cross join lateral (${answer} where r.ok) x order by x.seq`
    : `${answer} order by m.seq`;
  const rows = await st.rows<AppliedRow>(
    db,
    `with ${lockFirst}d(n, store_id, kind, delta, reason) as (values ${values}),
      changed as (
        update stock_levels l set quantity = ${newQuantity}, updated_at = now()
        from d where l.product_id = ${product} and l.store_id = d.store_id${guard}
        returning l.store_id, l.quantity, l.min_stock, l.updated_at, d.n, d.kind, d.delta, d.reason
      ),
      ledger as (
        insert into movements (product_id, store_id, kind, delta, quantity_after, reason, reference, transfer_id, actor)
        select ${product}, store_id, kind, delta, quantity, reason, ${reference}::varchar,
               ${transferId}::uuid, ${actor}::uuid
        from changed order by n
        returning seq, id, store_id, kind, delta, quantity_after, reason, reference, transfer_id, actor, created_at
      )${bumpTotal}
      ${main}`,
  );
  if (rows.length !== entries.length)
    throw new Error(`applyDeltas: ${rows.length} of ${entries.length} levels changed`);
  return appliedOf(productId, rows);
}

/** Ledger rows joined with their level (as it was after that row) and product, as an Applied. */
function appliedOf(productId: string, rows: AppliedRow[]): Applied {
  return {
    movements: rows.map((r) => ({
      id: r.id,
      productId,
      storeId: r.store_id,
      kind: r.kind,
      delta: Number(r.delta),
      quantityAfter: Number(r.quantity_after),
      reason: r.reason,
      reference: r.reference,
      transferId: r.transfer_id,
      actor: r.actor,
      createdAt: isoOf(r.created_at),
    })),
    levels: new Map(rows.map((r) => [r.store_id, toLevel(r)])),
  };
}

/** The message of a PostgreSQL error raised by one of our functions (P0001), else null. */
function raised(err: unknown): string | null {
  if (pgErrorCode(err) !== "P0001") return null;
  for (let cur = err as { message?: unknown; cause?: unknown } | undefined, n = 0; cur && n < 5; n++) {
    if (typeof cur.message === "string" && /^stockroom_/.test(cur.message)) return cur.message;
    cur = cur.cause as typeof cur;
  }
  return null;
}

/** stockroom_require() refused a standalone statement (see applyDeltas). */
const requireFailed = (err: unknown) => raised(err)?.startsWith("stockroom_require") ?? false;

/** stockroom_take() refused an overdraft: the store and the quantity it found there. */
function overdraftOf(err: unknown): { storeId: string; available: number } | null {
  const m = /^stockroom_insufficient:(-?\d+):(.*)$/s.exec(raised(err) ?? "");
  return m ? { storeId: m[2]!, available: Number(m[1]) } : null;
}

/** stockroom_expect() refused a compare-and-swap: the quantity it found instead. */
function staleOf(err: unknown): { available: number } | null {
  const m = /^stockroom_stale:(-?\d+):/.exec(raised(err) ?? "");
  return m ? { available: Number(m[1]) } : null;
}

/**
 * Why a standalone change found fewer levels than it needed: the product or a store is
 * gone (404), or a level does not exist yet. Reads only; nothing is locked.
 */
async function missingFor(db: Queryable, productId: string, storeIds: string[]) {
  const st = new Statement();
  const product = st.p(productId);
  const ids = storeIds.map((id) => st.p(id)).join(", ");
  const [row] = await st.rows<{
    product: boolean;
    stores: string[] | string | null;
    levels: string[] | string | null;
  }>(
    db,
    `select exists(select 1 from products where id = ${product} and deleted_at is null) as product,
            array(select id from stores where id in (${ids}) and deleted_at is null) as stores,
            array(select store_id from stock_levels where product_id = ${product} and store_id in (${ids})) as levels`,
  );
  if (!row?.product) throw notFound("Product", productId);
  const stores = new Set(parseTextArray(row.stores));
  for (const id of storeIds) if (!stores.has(id)) throw notFound("Store", id);
  const levels = new Set(parseTextArray(row.levels));
  return storeIds.filter((id) => !levels.has(id));
}

async function quantityIn(db: Queryable, productId: string, storeId: string): Promise<number> {
  const st = new Statement();
  const [row] = await st.rows<{ quantity: number }>(
    db,
    `select quantity from stock_levels where product_id = ${st.p(productId)} and store_id = ${st.p(storeId)}`,
  );
  return Number(row?.quantity ?? 0);
}

export interface AdjustInput {
  productId: string;
  storeId: string;
  delta: number;
  reason: TReason;
  reference?: string | null;
  expectedQuantity?: number;
}

/**
 * Adds `delta` units (negative: removes them) to one level. In a transaction (an
 * Idempotency-Key was sent): lock, check, apply. Outside one: ONE statement
 * (standaloneChange), grouped with others through `queue` when given (see StatementQueue),
 * with the same answers.
 */
export async function adjustStock(
  db: Queryable,
  input: AdjustInput,
  actor: string | null,
  options: { inTransaction?: boolean; queue?: AdjustmentQueue } = {},
) {
  let applied: Applied;
  if (options.inTransaction !== false) {
    const locked = await lockLevels(
      db,
      input.productId,
      [input.storeId],
      input.delta > 0 ? [input.storeId] : [],
    );
    const current = locked.get(input.storeId)?.quantity ?? 0;
    if (input.expectedQuantity !== undefined && input.expectedQuantity !== current)
      throw stale(input.storeId, input.expectedQuantity, current);
    if (current + input.delta < 0) throw insufficient(input.storeId, current, -input.delta);
    applied = await applyDeltas(db, input.productId, entriesOf(input), { reference: input.reference, actor });
  } else {
    const planned: PlannedAdjustment = { ...input, actor };
    applied = await (options.queue ? options.queue.submit(planned) : ADJUSTMENTS.alone(db, planned));
  }
  return { movement: applied.movements[0]!, level: applied.levels.get(input.storeId)! };
}

export interface TransferInput {
  productId: string;
  sourceStoreId: string;
  targetStoreId: string;
  quantity: number;
  reference?: string | null;
}

/** A transfer about to be applied outside a transaction: its id and actor are decided. */
interface PlannedTransfer extends TransferInput {
  transferId: string;
  actor: string | null;
}

const legsOf = (t: TransferInput): LedgerEntry[] => [
  { storeId: t.sourceStoreId, kind: "transfer_out", delta: -t.quantity },
  { storeId: t.targetStoreId, kind: "transfer_in", delta: t.quantity },
];

/**
 * Moves units between two stores. In a transaction (an Idempotency-Key was sent): lock both
 * levels, check, then apply. Outside one, through `queue` when given (see StatementQueue),
 * else on its own: ONE statement (applyDeltas, standalone). Every way gives the same answers
 * and keeps the same invariants.
 */
export async function transferStock(
  db: Queryable,
  input: TransferInput,
  actor: string | null,
  options: { inTransaction?: boolean; queue?: TransferQueue } = {},
) {
  const { productId, sourceStoreId: from, targetStoreId: to, quantity } = input;
  if (from === to)
    throw new AppError("VALIDATION_FAILED", "sourceStoreId and targetStoreId must differ", {
      issues: [{ path: "targetStoreId", message: "Must differ from sourceStoreId" }],
    });
  const planned: PlannedTransfer = { ...input, transferId: crypto.randomUUID(), actor };
  let applied: Applied;
  if (options.inTransaction !== false) {
    const locked = await lockLevels(db, productId, [from, to], [to]);
    const available = locked.get(from)?.quantity ?? 0;
    if (available < quantity) throw insufficient(from, available, quantity);
    applied = await applyDeltas(db, productId, legsOf(input), planned);
  } else {
    applied = await (options.queue
      ? options.queue.submit(planned)
      : standaloneChange(db, productId, legsOf(input), planned));
  }
  const [out, inn] = applied.movements;
  return {
    transferId: planned.transferId,
    productId,
    sourceStoreId: from,
    targetStoreId: to,
    quantity,
    reference: input.reference ?? null,
    createdAt: out!.createdAt,
    source: applied.levels.get(from)!,
    target: applied.levels.get(to)!,
    movements: [out!, inn!],
  };
}

/**
 * A change (a transfer's two legs, an adjustment) as ONE statement outside any transaction
 * (applyDeltas, standalone). A refused compare-and-swap is STALE_QUANTITY and an overdraft
 * INSUFFICIENT_STOCK, each with the quantity the statement found. When a level is missing,
 * a read says why: a missing product or store is 404; a missing level holds 0, so it is
 * STALE_QUANTITY if another quantity was expected, INSUFFICIENT_STOCK if units were to leave
 * it, and otherwise it is created and the statement tried again.
 */
async function standaloneChange(
  db: Queryable,
  productId: string,
  entries: LedgerEntry[],
  common: { reference?: string | null; transferId?: string | null; actor: string | null },
  expected?: number,
): Promise<Applied> {
  const wanted = (storeId: string) => -(entries.find((e) => e.storeId === storeId)?.delta ?? 0);
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyDeltas(db, productId, entries, common, true, expected);
    } catch (err) {
      const found = staleOf(err);
      if (found && expected !== undefined) throw stale(entries[0]!.storeId, expected, found.available);
      const refused = overdraftOf(err);
      if (refused) throw insufficient(refused.storeId, refused.available, wanted(refused.storeId));
      const overdraft = pgConstraint(err) === "stock_levels_quantity_nonneg";
      if (!overdraft && !requireFailed(err)) throw err;
      // Refused, yet a read finds enough stock and every level: it keeps changing under us.
      if (attempt >= 4)
        throw new AppError("UNAVAILABLE", "The stock levels kept changing; retry shortly", {
          retryAfter: 1,
          cause: err,
        });
      if (overdraft) {
        for (const e of entries.filter((x) => x.delta < 0)) {
          const available = await quantityIn(db, productId, e.storeId);
          if (available < -e.delta) throw insufficient(e.storeId, available, -e.delta);
        }
        continue; // Stock arrived meanwhile.
      }
      const missing = await missingFor(
        db,
        productId,
        entries.map((e) => e.storeId),
      );
      for (const storeId of missing) {
        if (expected !== undefined && expected !== 0) throw stale(storeId, expected, 0);
        if (wanted(storeId) > 0) throw insufficient(storeId, 0, wanted(storeId));
      }
      if (missing.length > 0)
        await db
          .insert(stockLevels)
          .values(missing.map((storeId) => ({ productId, storeId })))
          .onConflictDoNothing();
    }
  }
}

export interface WriteBatching {
  /** The most changes applied by one statement; 1 sends every change on its own. */
  maxBatch: number;
  /** Statements of one kind running at once; further changes of that kind wait and go together. */
  concurrency: number;
}

export const DEFAULT_WRITE_BATCHING: WriteBatching = { maxBatch: 64, concurrency: 2 };

type BatchRow = AppliedRow & {
  n: number;
  outcome: "ok" | "insufficient" | "stale" | "missing";
  available: number | null;
};

/** One kind of key-less change a StatementQueue groups. */
interface Groupable<I> {
  productOf(item: I): string;
  /** Applies one change on its own: the single-statement path, which also explains 'missing'. */
  alone(db: Queryable, item: I): Promise<Applied>;
  /** Applies several in ONE statement; each answers rows numbered n (from 1) with an outcome. */
  together(db: Queryable, items: I[]): Promise<BatchRow[]>;
  /** The error for a change the statement refused ('insufficient', 'stale'). */
  refusal(item: I, row: BatchRow): AppError;
}

interface Waiting<I> {
  item: I;
  resolve(applied: Applied): void;
  reject(err: unknown): void;
}

/**
 * Key-less changes of one kind (transfers, adjustments), applied like group commit. While
 * fewer than `concurrency` statements of that kind are running, a change is sent at once,
 * on its own (standaloneChange). Changes that arrive while they all run wait in order, and
 * the next free slot applies all of them (up to `maxBatch`) in ONE statement
 * (stockroom_transfer_batch, migration 0006; stockroom_adjust_batch, 0008): one round trip,
 * one commit and one ledger insert for the lot, each change judged in arrival order against
 * the stock the ones before it left. Under load that is several changes per commit; idle,
 * nothing waits.
 *
 * Each change still gets its own answer: applied, refused with the quantity it saw
 * (INSUFFICIENT_STOCK, STALE_QUANTITY), or (product, store or level missing) a run of its
 * own that says why or creates the level. If the batch statement fails, PostgreSQL rolled
 * all of it back, and each change is run on its own; only a failure that may have hit after
 * the commit (the connection was lost) is reported to all of them, as a single statement's
 * would be.
 */
export class StatementQueue<I> {
  private readonly waiting: Waiting<I>[] = [];
  private running = 0;

  constructor(
    private readonly db: Queryable,
    private readonly kind: Groupable<I>,
    private readonly options: WriteBatching = DEFAULT_WRITE_BATCHING,
    /** Called once per statement the queue sends, with the number of changes it carries. */
    private readonly observe?: (changes: number) => void,
  ) {}

  submit(item: I): Promise<Applied> {
    if (this.options.maxBatch <= 1) return this.kind.alone(this.db, item);
    return new Promise<Applied>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Changes waiting for a statement. */
  get depth(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running++;
      this.run(batch)
        // Settles whatever an unexpected failure left waiting (settling twice is a no-op).
        .catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async run(batch: Waiting<I>[]): Promise<void> {
    this.observe?.(batch.length);
    if (batch.length === 1) return this.alone(batch[0]!);
    let rows: BatchRow[];
    try {
      rows = await this.kind.together(
        this.db,
        batch.map((w) => w.item),
      );
    } catch (err) {
      if (!rolledBack(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      // One after another, in arrival order: a failing database is not sent 64 statements at once.
      for (const w of batch) await this.alone(w);
      return;
    }
    const byItem = new Map<number, BatchRow[]>();
    for (const row of rows) {
      const own = byItem.get(Number(row.n));
      if (own) own.push(row);
      else byItem.set(Number(row.n), [row]);
    }
    await Promise.all(
      batch.map((w, i) => {
        const own = byItem.get(i + 1);
        const outcome = own?.[0]?.outcome;
        if (outcome === "missing") return this.alone(w);
        try {
          if (own && outcome === "ok") w.resolve(appliedOf(this.kind.productOf(w.item), own));
          else if (own && (outcome === "insufficient" || outcome === "stale"))
            w.reject(this.kind.refusal(w.item, own[0]!));
          else w.reject(new Error(`batch statement: no answer for change ${i + 1}`));
        } catch (err) {
          w.reject(err); // this change only: the others have their own answers
        }
        return undefined;
      }),
    );
  }

  private alone(w: Waiting<I>): Promise<void> {
    return this.kind.alone(this.db, w.item).then(w.resolve, w.reject);
  }
}

const TRANSFERS: Groupable<PlannedTransfer> = {
  productOf: (t) => t.productId,
  alone: (db, t) => standaloneChange(db, t.productId, legsOf(t), t),
  together(db, transfers) {
    const st = new Statement();
    const column = (pick: (t: PlannedTransfer) => unknown) => st.p(transfers.map(pick));
    return st.rows<BatchRow>(
      db,
      `select * from stockroom_transfer_batch(${column((t) => t.productId)}::uuid[], ${column((t) => t.sourceStoreId)}::varchar[],
        ${column((t) => t.targetStoreId)}::varchar[], ${column((t) => t.quantity)}::int[], ${column((t) => t.transferId)}::uuid[],
        ${column((t) => t.reference ?? null)}::varchar[], ${column((t) => t.actor)}::uuid[])`,
    );
  },
  refusal: (t, row) => insufficient(t.sourceStoreId, Number(row.available), t.quantity),
};

/** An adjustment about to be applied outside a transaction: its actor is decided. */
interface PlannedAdjustment extends AdjustInput {
  actor: string | null;
}

const entriesOf = (a: AdjustInput): LedgerEntry[] => [
  { storeId: a.storeId, kind: "adjustment", delta: a.delta, reason: a.reason },
];

const ADJUSTMENTS: Groupable<PlannedAdjustment> = {
  productOf: (a) => a.productId,
  alone: (db, a) =>
    standaloneChange(
      db,
      a.productId,
      entriesOf(a),
      { reference: a.reference, actor: a.actor },
      a.expectedQuantity,
    ),
  together(db, adjustments) {
    const st = new Statement();
    const column = (pick: (a: PlannedAdjustment) => unknown) => st.p(adjustments.map(pick));
    return st.rows<BatchRow>(
      db,
      `select * from stockroom_adjust_batch(${column((a) => a.productId)}::uuid[], ${column((a) => a.storeId)}::varchar[],
        ${column((a) => a.delta)}::int[], ${column((a) => a.expectedQuantity ?? null)}::int[], ${column((a) => a.reason)}::varchar[],
        ${column((a) => a.reference ?? null)}::varchar[], ${column((a) => a.actor)}::uuid[])`,
    );
  },
  refusal: (a, row) =>
    row.outcome === "stale"
      ? stale(a.storeId, a.expectedQuantity ?? 0, Number(row.available))
      : insufficient(a.storeId, Number(row.available), -a.delta),
};

/** Groups key-less transfers (see StatementQueue). */
export const transferQueue = (db: Queryable, options?: WriteBatching, observe?: (changes: number) => void) =>
  new StatementQueue(db, TRANSFERS, options, observe);

/** Groups key-less adjustments (see StatementQueue). */
export const adjustmentQueue = (
  db: Queryable,
  options?: WriteBatching,
  observe?: (changes: number) => void,
) => new StatementQueue(db, ADJUSTMENTS, options, observe);

export type TransferQueue = ReturnType<typeof transferQueue>;
export type AdjustmentQueue = ReturnType<typeof adjustmentQueue>;

/**
 * PostgreSQL answered the statement with an error (an ErrorResponse, which carries a
 * severity), so its implicit transaction was rolled back and nothing of it was committed. A
 * lost connection (a socket error such as EPIPE, or class 08) or a terminated backend
 * (57P01-57P03) leaves that open.
 */
export function rolledBack(err: unknown): boolean {
  let cur = err as { code?: unknown; severity?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (typeof cur.severity === "string" && typeof cur.code === "string") {
      const code = cur.code;
      return /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("08") && !/^57P0[123]$/.test(code);
    }
    cur = cur.cause as typeof cur;
  }
  return false;
}

export interface SetLevelInput {
  productId: string;
  storeId: string;
  minStock?: number;
  quantity?: number;
  expectedQuantity?: number;
}

/** Sets the threshold and/or records a stock count (a ledger row of kind `count`). */
export async function setLevel(db: Queryable, input: SetLevelInput, actor: string | null) {
  const locked = await lockLevels(db, input.productId, [input.storeId], [input.storeId]);
  const current = locked.get(input.storeId)?.quantity ?? 0;
  if (input.expectedQuantity !== undefined && input.expectedQuantity !== current)
    throw stale(input.storeId, input.expectedQuantity, current);
  if (input.minStock !== undefined)
    await db.execute(sql`
      update stock_levels set min_stock = ${input.minStock}, updated_at = now()
      where product_id = ${input.productId} and store_id = ${input.storeId}`);
  if (input.quantity !== undefined && input.quantity !== current) {
    const applied = await applyDeltas(
      db,
      input.productId,
      [{ storeId: input.storeId, kind: "count", delta: input.quantity - current, reason: "correction" }],
      { actor },
    );
    return { level: applied.levels.get(input.storeId)!, movement: applied.movements[0]! };
  }
  const [level] = await readLevels(db, input.productId, [input.storeId]);
  return { level: level!, movement: null };
}
