/**
 * The event feed read the way an integrator reads it, while a write scenario runs: a viewer
 * key pages `GET /api/events?after=…` with the largest `limit` the API documents, asks again at
 * once while pages come back full and sleeps FEED_IDLE_MS when one does not. The runner
 * (run.ts) follows each write scenario with it and reports how far behind the writes the
 * consumer was, and whether it saw every ledger row's `stock.changed` exactly once.
 */

/** The consumer's pause after a page that was not full (it has caught up with the feed). */
export const FEED_IDLE_MS = 100;

/** After the load stops, how long the consumer waits for a ledger row's event before giving up. */
const DRAIN_TIMEOUT_MS = 30_000;

export interface FeedFigures {
  /** Ledger rows written during the run: each must have had its `stock.changed` event read. */
  ledgerRows: number;
  /** The run's events (every type) as the feed held them once drained. */
  written: number;
  /** Of which `stock.changed`: one per ledger row. */
  stockChanged: number;
  /** Events written per second, over the span of their `createdAt`. */
  writtenPerSec: number;
  /** Events the consumer had read when the load stopped. */
  consumedDuringLoad: number;
  /** Events the consumer read in all (the run's, up to the end of the drain). */
  consumed: number;
  /** The run's events not yet read when the load stopped. */
  backlogAtStop: number;
  /** From the load's end until the consumer read the last event of the run (0 without backlog). */
  drainMs: number;
  /** Time the consumer read an event minus its `createdAt`, over the run's events. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** Feed requests the consumer made during the run and its drain. */
  pages: number;
  /** Broken order (a sequence not above the one before), a lost or repeated stock.changed, a failed page. */
  problems: string[];
}

interface Event {
  sequence: number;
  type: string;
  createdAt: string;
  data?: { movementId?: string | null };
}

interface Seen {
  sequence: number;
  type: string;
  movementId: string | null;
  lagMs: number;
  createdAt: number;
  readAt: number;
}

interface Page {
  items: Event[];
  nextCursor: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** At most this many problem lines are kept; the rest are counted. */
const MAX_PROBLEMS = 10;

export class FeedConsumer {
  private cursor: string | null = null;
  private lastSequence = 0;
  private problems: string[] = [];
  private droppedProblems = 0;
  private pages = 0;

  private constructor(
    private readonly url: string,
    private readonly key: string,
    /** The largest page the API allows. */
    readonly limit: number,
  ) {}

  /**
   * A consumer for the server at `url`: a viewer key made with `adminKey`, and the page size
   * from the server's own OpenAPI document. Null when the server has no event feed (a baseline
   * checkout from before the events).
   */
  static async create(url: string, adminKey: string): Promise<FeedConsumer | null> {
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths?: Record<
        string,
        { get?: { parameters?: Array<{ name: string; schema?: { maximum?: number } }> } }
      >;
    };
    const feed = doc.paths?.["/events"]?.get;
    if (!feed) return null;
    const limit = feed.parameters?.find((p) => p.name === "limit")?.schema?.maximum;
    if (!limit) throw new Error("GET /api/events documents no maximum limit");
    const res = await fetch(`${url}/api/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench feed consumer", role: "viewer" }),
    });
    if (res.status !== 201) throw new Error(`creating the consumer's viewer key answered ${res.status}`);
    const { secret } = (await res.json()) as { secret: string };
    return new FeedConsumer(url, secret, limit);
  }

  private problem(text: string) {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
    else this.droppedProblems++;
  }

  /** One page from the cursor on; checks the order and moves the cursor. */
  private async page(): Promise<{ events: Seen[]; full: boolean }> {
    const query = `${this.cursor === null ? "" : `after=${this.cursor}&`}limit=${this.limit}`;
    this.pages++;
    let res: Response;
    try {
      res = await fetch(`${this.url}/api/events?${query}`, {
        headers: { authorization: `Bearer ${this.key}` },
      });
    } catch (err) {
      this.problem(`GET /api/events?${query} failed: ${(err as Error).message}`);
      return { events: [], full: false };
    }
    const text = await res.text();
    const readAt = Date.now();
    if (res.status !== 200) {
      this.problem(`GET /api/events?${query} answered ${res.status}: ${text.slice(0, 200)}`);
      return { events: [], full: false };
    }
    const page = JSON.parse(text) as Page;
    const events: Seen[] = [];
    for (const e of page.items) {
      const createdAt = Date.parse(e.createdAt);
      if (e.sequence <= this.lastSequence)
        this.problem(
          e.sequence === this.lastSequence
            ? `sequence ${e.sequence} read twice`
            : `sequence ${e.sequence} after ${this.lastSequence}: not increasing`,
        );
      this.lastSequence = Math.max(this.lastSequence, e.sequence);
      events.push({
        sequence: e.sequence,
        type: e.type,
        movementId: e.type === "stock.changed" ? (e.data?.movementId ?? null) : null,
        lagMs: readAt - createdAt,
        createdAt,
        readAt,
      });
    }
    const expected = page.items.length > 0 ? String(page.items.at(-1)!.sequence) : this.cursor;
    if (page.nextCursor !== expected)
      this.problem(`nextCursor ${page.nextCursor} after a page ending at ${expected ?? "nothing"}`);
    this.cursor = page.nextCursor ?? this.cursor;
    return { events, full: page.items.length >= this.limit };
  }

  /** Reads until a page is not full: the consumer is at the head of what is published. */
  async catchUp(): Promise<void> {
    while ((await this.page()).full) {}
  }

  /**
   * Follows the feed while `load` runs, then until every ledger row `ledgerIds()` lists (the
   * rows written since the run began) has had its `stock.changed` read, or nothing new came
   * for DRAIN_TIMEOUT_MS. Call catchUp() first, then take the ledger's position, then this.
   */
  async follow<T>(
    load: Promise<T>,
    ledgerIds: () => Promise<string[]>,
  ): Promise<{ result: T; feed: FeedFigures }> {
    const pagesBefore = this.pages;
    const seen: Seen[] = [];
    const load$ = { stoppedAt: 0 };
    // The load's own failure is the runner's to report; the consumer just stops following.
    load
      .finally(() => {
        load$.stoppedAt = Date.now();
      })
      .catch(() => {});
    while (load$.stoppedAt === 0) {
      const { events, full } = await this.page();
      seen.push(...events);
      if (!full && load$.stoppedAt === 0) await sleep(FEED_IDLE_MS);
    }
    const stop = load$.stoppedAt;

    // The drain: read on until the ledger's rows all have their events.
    const movementIds = new Map<string, number>();
    const note = (events: Seen[]) => {
      for (const e of events)
        if (e.movementId) movementIds.set(e.movementId, (movementIds.get(e.movementId) ?? 0) + 1);
    };
    note(seen);
    let ledger: string[] = [];
    let missing: string[] = [];
    let lastProgress = Date.now();
    for (;;) {
      const { events, full } = await this.page();
      seen.push(...events);
      note(events);
      if (events.length > 0) lastProgress = Date.now();
      if (full) continue;
      ledger = await ledgerIds();
      missing = ledger.filter((id) => !movementIds.has(id));
      if (missing.length === 0 || Date.now() - lastProgress > DRAIN_TIMEOUT_MS) break;
      await sleep(FEED_IDLE_MS);
    }
    const result = await load;

    if (missing.length > 0)
      this.problem(
        `${missing.length} of ${ledger.length} ledger rows written during the run had no stock.changed event ` +
          `${DRAIN_TIMEOUT_MS / 1000} s after the load stopped, e.g. movement ${missing[0]}`,
      );
    const repeated = [...movementIds].filter(([, n]) => n > 1);
    if (repeated.length > 0)
      this.problem(
        `${repeated.length} ledger rows had more than one stock.changed event, e.g. movement ${repeated[0]![0]}`,
      );

    let [first, last] = [Number.POSITIVE_INFINITY, 0];
    for (const e of seen) [first, last] = [Math.min(first, e.createdAt), Math.max(last, e.createdAt)];
    const spanMs = seen.length > 1 ? last - first : 0;
    const lags = seen.map((e) => e.lagMs).sort((a, b) => a - b);
    const duringLoad = seen.filter((e) => e.readAt <= stop).length;
    const lastRead = seen.reduce((m, e) => Math.max(m, e.readAt), stop);
    // This run's problems, and any of the catching up before it.
    const problems = this.problems;
    if (this.droppedProblems > 0) problems.push(`… and ${this.droppedProblems} more feed problems`);
    this.problems = [];
    this.droppedProblems = 0;
    return {
      result,
      feed: {
        ledgerRows: ledger.length,
        written: seen.length,
        stockChanged: seen.filter((e) => e.type === "stock.changed").length,
        writtenPerSec: seen.length / Math.max(0.001, spanMs / 1000),
        consumedDuringLoad: duringLoad,
        consumed: seen.length,
        backlogAtStop: seen.length - duringLoad,
        drainMs: seen.length > duringLoad ? lastRead - stop : 0,
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
        lagMaxMs: lags.at(-1) ?? 0,
        pages: this.pages - pagesBefore,
        problems,
      },
    };
  }
}
