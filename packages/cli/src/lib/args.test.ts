import { describe, expect, it } from "vitest";
import { parseIntArg, parseLines, parseNumberArg, parseTimeArg, repeatedOption } from "./args";
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

  it("reads every value of a repeated option (citty keeps only the last), up to --", () => {
    const raw = ["--store", "s1", "--line", "A=1", "--json", "--line=B=2,C=3", "--", "--line", "D=4"];
    expect(repeatedOption(raw, "line")).toEqual(["A=1", "B=2,C=3"]);
    expect(repeatedOption(["--store", "s1"], "line")).toEqual([]);
  });

  it("parses <product>=<qty> lines, comma-separated or one per value", () => {
    expect(parseLines(["HAM-16=2", "WIRE-12-50=1, x.y/z=3"], "--line")).toEqual([
      { product: "HAM-16", quantity: 2 },
      { product: "WIRE-12-50", quantity: 1 },
      { product: "x.y/z", quantity: 3 },
    ]);
    expect(parseLines([], "--line")).toEqual([]);
    for (const bad of ["HAM-16", "HAM-16=", "=2", "HAM-16=two", "HAM-16=1.5", "A=1,,B=2"])
      expect(() => parseLines([bad], "--line"), bad).toThrow(UsageError);
    expect(() => parseLines(["HAM-16=0"], "--line")).toThrow(/--line HAM-16 must be at least 1/);
  });
});
