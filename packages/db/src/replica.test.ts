import { describe, expect, it } from "vitest";
import { parseLsn } from "./replica";

describe("parseLsn", () => {
  it("orders WAL positions as PostgreSQL does, across the 32-bit boundary", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("0/16B3748")).toBe(0x16b3748n);
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
    expect(parseLsn("16/B374D848") > parseLsn("16/B374D847")).toBe(true);
    expect(parseLsn("A/1")).toBe((10n << 32n) | 1n);
  });
});
