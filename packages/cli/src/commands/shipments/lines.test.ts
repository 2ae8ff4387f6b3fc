import { describe, expect, it } from "vitest";
import { UsageError } from "../../lib/exit";
import { parseReceivedUnits, receiptLines } from "./lines";

describe("receipt lines", () => {
  it("reads accepted or accepted/rejected", () => {
    expect(parseReceivedUnits("5", "--line X")).toEqual({ accepted: 5, rejected: 0, reasons: [] });
    expect(parseReceivedUnits("0/2", "--line X")).toEqual({ accepted: 0, rejected: 2, reasons: [] });
    for (const bad of ["5/", "/1", "1/2/3", "-1", "1/-1", "x", "1.5"])
      expect(() => parseReceivedUnits(bad, "--line X"), bad).toThrow(UsageError);
    expect(() => parseReceivedUnits("1/x", "--line X")).toThrow("--line X rejected must be a whole number");
  });

  it("names each product once, sums its units, joins distinct reasons, and drops lines that book nothing", () => {
    const units = (productId: string, accepted: number, rejected: number, ...reasons: string[]) => ({
      productId,
      accepted,
      rejected,
      reasons,
    });
    expect(
      receiptLines(
        [
          units("a", 2, 1, "damaged"),
          units("b", 1, 0),
          units("a", 1, 1, "wet"),
          units("c", 0, 0, "nothing"),
          units("a", 0, 1, "damaged"),
          units("b", 0, 2),
        ],
        "refused at the dock",
      ),
    ).toEqual([
      { productId: "a", accepted: 3, rejected: 3, reason: "damaged; wet" },
      { productId: "b", accepted: 1, rejected: 2, reason: "refused at the dock" },
    ]);
    expect(receiptLines([units("a", 1, 0)], "unused")).toEqual([
      { productId: "a", accepted: 1, rejected: 0 },
    ]);
  });
});
