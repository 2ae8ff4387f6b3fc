import { describe, expect, it } from "vitest";
import { GroupCommitQueue, type GroupCommitWork, type Settled } from "../src/lib/group-commit";

// The queue against a fake: items are numbers, "running" one doubles it. The fake records
// every run so the tests can see what went alone and what went together.

interface Fake extends GroupCommitWork<number, number> {
  runs: number[][];
  release(): void;
}

function fake(options: { failMany?: unknown; refuse?: number; rolledBack?: boolean } = {}): Fake {
  const runs: number[][] = [];
  let gate: (() => void) | null = null;
  const waitGate = () =>
    new Promise<void>((r) => {
      gate = r;
    });
  return {
    runs,
    release: () => gate?.(),
    async one(item) {
      runs.push([item]);
      if (runs.length === 1) await waitGate(); // the first run holds its slot until released
      if (item === options.refuse) throw new Error(`refused ${item}`);
      return item * 2;
    },
    async many(items) {
      runs.push(items);
      if (options.failMany) throw options.failMany;
      return items.map(
        (i): Settled<number> =>
          i === options.refuse ? { ok: false, error: new Error(`refused ${i}`) } : { ok: true, value: i * 2 },
      );
    },
    rolledBack: () => options.rolledBack ?? false,
  };
}

const settle = (p: Promise<number>) =>
  p.then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );

describe("GroupCommitQueue", () => {
  it("sends an item at once while a slot is free, and groups what arrives meanwhile", async () => {
    const work = fake();
    const sizes: number[] = [];
    const queue = new GroupCommitQueue(work, { maxBatch: 3, concurrency: 1 }, (n) => sizes.push(n));
    const answers = [1, 2, 3, 4, 5, 6].map((i) => settle(queue.submit(i)));
    expect(queue.depth).toBe(5);
    work.release();
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 8, 10, 12].map((value) => ({ value })));
    // 1 alone, then the waiting ones in arrival order, at most 3 per run.
    expect(work.runs).toEqual([[1], [2, 3, 4], [5, 6]]);
    expect(sizes).toEqual([1, 3, 2]);
  });

  it("answers each item of a group on its own: one refusal fails only its item", async () => {
    const work = fake({ refuse: 3 });
    const queue = new GroupCommitQueue(work, { maxBatch: 10, concurrency: 1 });
    const answers = [1, 2, 3, 4].map((i) => settle(queue.submit(i)));
    work.release();
    expect(await Promise.all(answers)).toEqual([
      { value: 2 },
      { value: 4 },
      { error: "refused 3" },
      { value: 8 },
    ]);
  });

  it("runs each item alone, one after another, when a group failed and left nothing behind", async () => {
    const work = fake({ failMany: new Error("whole batch refused"), rolledBack: true });
    const queue = new GroupCommitQueue(work, { maxBatch: 10, concurrency: 1 });
    const answers = [1, 2, 3].map((i) => settle(queue.submit(i)));
    work.release();
    expect(await Promise.all(answers)).toEqual([{ value: 2 }, { value: 4 }, { value: 6 }]);
    expect(work.runs).toEqual([[1], [2, 3], [2], [3]]);
  });

  it("gives every item the failure when a group may have committed (the connection was lost)", async () => {
    const work = fake({ failMany: new Error("connection lost"), rolledBack: false });
    const queue = new GroupCommitQueue(work, { maxBatch: 10, concurrency: 1 });
    const answers = [1, 2, 3].map((i) => settle(queue.submit(i)));
    work.release();
    expect(await Promise.all(answers)).toEqual([
      { value: 2 },
      { error: "connection lost" },
      { error: "connection lost" },
    ]);
    expect(work.runs).toEqual([[1], [2, 3]]);
  });

  it("with maxBatch 1 never waits: every item runs alone, at once", async () => {
    const work = fake();
    const queue = new GroupCommitQueue(work, { maxBatch: 1, concurrency: 1 });
    const first = settle(queue.submit(1));
    const second = settle(queue.submit(2));
    expect(await second).toEqual({ value: 4 });
    work.release();
    expect(await first).toEqual({ value: 2 });
    expect(queue.depth).toBe(0);
  });

  it("runs up to `concurrency` groups at once", async () => {
    const work = fake();
    const queue = new GroupCommitQueue(work, { maxBatch: 10, concurrency: 2 });
    const answers = [1, 2, 3, 4].map((i) => settle(queue.submit(i)));
    // 1 holds a slot; 2 took the second slot at once; 3 and 4 wait for a free one.
    await answers[1];
    expect(work.runs.slice(0, 2)).toEqual([[1], [2]]);
    work.release();
    await Promise.all(answers);
    expect(work.runs).toEqual([[1], [2], [3, 4]]);
  });
});
