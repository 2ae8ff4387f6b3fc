import { describe, expect, it } from "vitest";
import { isoOf } from "../src/services/named";

describe("isoOf: timestamps from raw rows as the API's ISO text", () => {
  it("rewrites PostgreSQL's UTC text exactly as Date would", () => {
    for (const text of [
      "2026-11-27 22:01:06.123999+00",
      "2026-11-27 22:01:06.9999+00",
      "2026-11-27 22:01:06+00",
      "2026-11-27 22:01:06.5+00",
      "1999-12-31 23:59:59.000001+00",
    ])
      expect(isoOf(text), text).toBe(new Date(text).toISOString());
  });

  it("converts other offsets and Dates through Date", () => {
    expect(isoOf("2026-11-27 23:01:06.5+01")).toBe("2026-11-27T22:01:06.500Z");
    expect(isoOf("2026-11-27 22:01:06.12+05:30")).toBe("2026-11-27T16:31:06.120Z");
    expect(isoOf(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe("2026-01-02T03:04:05.006Z");
  });
});
