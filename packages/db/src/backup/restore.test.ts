import { describe, expect, it } from "vitest";
import { parseDump } from "./restore";

describe("parseDump (PGlite restore of a plain pg_dump script)", () => {
  it("splits COPY blocks out of the SQL and drops psql's \\restrict guard", () => {
    const script = [
      "-- stockroom-backup: {}",
      "\\restrict abc123",
      "SET x = 1;",
      "COPY public.t (a, b) FROM stdin;",
      "1\tone",
      "2\t\\N",
      "\\.",
      "SELECT 1;",
      "COPY public.empty (a) FROM stdin;",
      "\\.",
      "\\unrestrict abc123",
      "",
    ].join("\n");
    expect([...parseDump(script, true)]).toEqual([
      { sql: "-- stockroom-backup: {}\nSET x = 1;" },
      { copy: "COPY public.t (a, b) FROM '/dev/blob'", data: "1\tone\n2\t\\N\n" },
      { sql: "SELECT 1;" },
      { copy: "COPY public.empty (a) FROM '/dev/blob'", data: "" },
    ]);
  });

  it("leaves INSERT dumps (PGlite's) alone, even data that looks like COPY", () => {
    const script = "INSERT INTO t VALUES ('a\nCOPY x FROM stdin;\nb');\n";
    expect([...parseDump(script, false)]).toEqual([{ sql: script }]);
  });

  it("refuses a dump cut inside a COPY block", () => {
    expect(() => [...parseDump("COPY public.t (a) FROM stdin;\n1\n2\n", true)]).toThrow(/truncated/);
  });
});
