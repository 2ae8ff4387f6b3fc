import { describe, expect, it } from "vitest";
import { isConnectionError, pgConstraint, pgErrorCode, rolledBack } from "../src/errors";

const server = (code: string, severity = "ERROR", extra: object = {}) =>
  Object.assign(new Error(code), { code, severity, ...extra });

describe("reading database errors through their wrappers", () => {
  it("finds the SQLSTATE and the constraint however deep drizzle wrapped them", () => {
    const wrapped = new Error("Failed query", {
      cause: new Error("outer", {
        cause: server("23514", "ERROR", { constraint: "stock_levels_quantity_nonneg" }),
      }),
    });
    expect(pgErrorCode(wrapped)).toBe("23514");
    expect(pgConstraint(wrapped)).toBe("stock_levels_quantity_nonneg");
    expect(pgErrorCode(new Error("plain"))).toBeUndefined();
  });

  it("tells a lost connection from a refused statement", () => {
    expect(
      isConnectionError(new Error("x", { cause: Object.assign(new Error("r"), { code: "ECONNREFUSED" }) })),
    ).toBe(true);
    expect(isConnectionError(server("57P01", "FATAL"))).toBe(true);
    expect(isConnectionError(server("23505"))).toBe(false);
  });
});

describe("which failed statements were surely rolled back", () => {
  it("an error PostgreSQL reported for the statement: yes", () => {
    for (const code of ["40P01", "40001", "57014", "23514", "P0001", "22003"])
      expect(rolledBack(server(code))).toBe(true);
    expect(rolledBack(new Error("wrapped", { cause: server("40P01") }))).toBe(true);
  });

  it("a lost connection or a terminated backend: not known, so not retried", () => {
    expect(rolledBack(new Error("Connection terminated unexpectedly"))).toBe(false);
    // Socket errors carry a code too, but no severity: PostgreSQL did not send them.
    expect(rolledBack(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(false);
    expect(rolledBack(Object.assign(new Error("pipe"), { code: "EPIPE" }))).toBe(false);
    for (const code of ["08006", "08003"]) expect(rolledBack(server(code))).toBe(false);
    for (const code of ["57P01", "57P02", "57P03"]) expect(rolledBack(server(code, "FATAL"))).toBe(false);
  });
});
