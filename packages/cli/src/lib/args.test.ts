import { describe, expect, it } from "vitest";
import { parseIntArg, parseNumberArg, parseTimeArg } from "./args";
import { UsageError } from "./exit";

describe("argument parsers", () => {
  it("parses whole numbers within a range and refuses anything else as a usage error", () => {
    expect(parseIntArg("42", "--qty")).toBe(42);
    expect(parseIntArg("-3", "--delta")).toBe(-3);
    expect(parseIntArg(undefined, "--qty")).toBeUndefined();
    for (const bad of ["", "1.5", "ten", "1e3", "0x10"])
      expect(() => parseIntArg(bad, "--qty")).toThrow(UsageError);
    expect(() => parseIntArg("0", "--qty", { min: 1 })).toThrow(/at least 1/);
    expect(() => parseIntArg("101", "--limit", { max: 100 })).toThrow(/at most 100/);
  });

  it("parses decimal numbers", () => {
    expect(parseNumberArg("12.50", "--price")).toBe(12.5);
    expect(parseNumberArg(".5", "--price")).toBe(0.5);
    expect(() => parseNumberArg("12,50", "--price")).toThrow(/must be a number/);
  });

  it("parses times as ISO text, dates or ages", () => {
    const now = Date.parse("2026-01-10T12:00:00Z");
    expect(parseTimeArg("2026-01-05", "--since", now)).toBe("2026-01-05T00:00:00.000Z");
    expect(parseTimeArg("2026-01-05T10:00:00+02:00", "--since", now)).toBe("2026-01-05T08:00:00.000Z");
    expect(parseTimeArg("24h", "--since", now)).toBe("2026-01-09T12:00:00.000Z");
    expect(parseTimeArg("7d", "--since", now)).toBe("2026-01-03T12:00:00.000Z");
    expect(parseTimeArg("15m", "--since", now)).toBe("2026-01-10T11:45:00.000Z");
    expect(() => parseTimeArg("last week", "--since", now)).toThrow(UsageError);
  });
});
