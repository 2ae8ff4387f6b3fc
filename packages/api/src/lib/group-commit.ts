/**
 * Group commit for work that one statement can do for many callers at once. It knows nothing
 * of what the items are: the caller says how to run one item, how to run several together,
 * and which failures of "several together" left nothing behind.
 *
 * While fewer than `concurrency` runs are under way, an item is sent at once, on its own.
 * Items that arrive while every slot is busy wait, in arrival order, and the next free slot
 * runs all of them (up to `maxBatch`) together. Idle, nothing waits; under load a run carries
 * many items, so there are fewer round trips and commits per item.
 *
 * Each item gets its own answer. If running several together fails and the failure left
 * nothing behind (`rolledBack`), each of them is run on its own, one after another, so one
 * bad item cannot fail the others; any other failure (one that may have happened after a
 * commit) is every item's answer, as it would have been for a single item.
 */
export interface GroupCommitOptions {
  /** The most items one run carries; 1 sends every item on its own. */
  maxBatch: number;
  /** Runs under way at once; further items wait and go together. */
  concurrency: number;
}

export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitWork<I, O> {
  one(item: I): Promise<O>;
  /** Runs the items together; answers one settled result per item, in order. */
  many(items: I[]): Promise<Array<Settled<O>>>;
  /** True when a failure of `many` is known to have changed nothing. */
  rolledBack(err: unknown): boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(err: unknown): void;
}

export class GroupCommitQueue<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly work: GroupCommitWork<I, O>,
    private readonly options: GroupCommitOptions,
    /** Called once per run, with the number of items it carries. */
    private readonly observe?: (items: number) => void,
  ) {}

  submit(item: I): Promise<O> {
    if (this.options.maxBatch <= 1) {
      this.observe?.(1);
      return this.work.one(item);
    }
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** Items waiting for a run. */
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

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    this.observe?.(batch.length);
    if (batch.length === 1) return this.alone(batch[0]!);
    let results: Array<Settled<O>>;
    try {
      results = await this.work.many(batch.map((w) => w.item));
    } catch (err) {
      if (!this.work.rolledBack(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      // One after another: a failing database is not sent the whole batch at once.
      for (const w of batch) await this.alone(w);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (!result) w.reject(new Error(`group commit: no answer for item ${i + 1} of ${batch.length}`));
      else if (result.ok) w.resolve(result.value);
      else w.reject(result.error);
    });
  }

  private alone(w: Waiting<I, O>): Promise<void> {
    return this.work.one(w.item).then(w.resolve, w.reject);
  }
}
