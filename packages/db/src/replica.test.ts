import { describe, expect, it } from "vitest";
import { afterCall, lsnOrNull, parseLsn } from "./replica";

describe("parseLsn", () => {
  it("orders WAL positions as PostgreSQL does, across the 32-bit boundary", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("0/16B3748")).toBe(0x16b3748n);
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
    expect(parseLsn("16/B374D848") > parseLsn("16/B374D847")).toBe(true);
    expect(parseLsn("A/1")).toBe((10n << 32n) | 1n);
  });
});

describe("lsnOrNull", () => {
  it("takes a WAL position as PostgreSQL prints it and nothing else", () => {
    expect(lsnOrNull("16/B374D848")).toBe(parseLsn("16/B374D848"));
    expect(lsnOrNull("0/0")).toBe(0n);
    expect(lsnOrNull("ffffffff/ffffffff")).toBe((0xffffffffn << 32n) | 0xffffffffn);
    for (const bad of ["", "0", "/0", "0/", "16/B374D848 ", "1/2/3", "G/0", "123456789/0", "-1/0", "0x1/0"])
      expect(lsnOrNull(bad)).toBeNull();
  });
});

describe("afterCall", () => {
  it("answers every caller from a run that started after its call, sharing runs", async () => {
    const runs: Array<{ resolve: (v: number) => void }> = [];
    const shared = afterCall(
      () =>
        new Promise<number>((resolve) => {
          runs.push({ resolve });
        }),
    );
    const first = shared();
    expect(runs).toHaveLength(1);
    // Arrive while run 1 is going: they must not take its answer.
    const late = Array.from({ length: 50 }, () => shared());
    expect(runs).toHaveLength(1);
    runs[0]!.resolve(1);
    expect(await first).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toHaveLength(2);
    // Arrives while run 2 is going: it waits for run 3.
    const later = shared();
    runs[1]!.resolve(2);
    expect(await Promise.all(late)).toEqual(Array(50).fill(2));
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toHaveLength(3);
    runs[2]!.resolve(3);
    expect(await later).toBe(3);
    // Idle again: the next caller starts a run at once.
    const idle = shared();
    expect(runs).toHaveLength(4);
    runs[3]!.resolve(4);
    expect(await idle).toBe(4);
  });

  it("a failed run fails its callers only; the next callers get a new run", async () => {
    let n = 0;
    const shared = afterCall(async () => {
      n += 1;
      if (n === 1) throw new Error("first run fails");
      return n;
    });
    const first = shared();
    const second = shared();
    await expect(first).rejects.toThrow("first run fails");
    expect(await second).toBe(2);
  });
});
