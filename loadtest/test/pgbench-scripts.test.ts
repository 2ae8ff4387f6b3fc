import { readFileSync } from "node:fs";
import { commitOperation, takeOperation } from "@stockroom/api";
import { APPLY_STOCK_SQL, changesJson, transferOperation } from "@stockroom/db";
import { postgresAdminUrl, postgresUnavailableReason } from "@stockroom/db/testing";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PGBENCH_BATCH, writePgbenchScripts } from "../src/pgbench-scripts";

// The pgbench transfer scripts are written from the server's own statement and serializer;
// these tests prove a script, its variables filled in, sends exactly what the server sends.

const scripts = writePgbenchScripts();
const statementOf = (file: string) => {
  const text = readFileSync(file, "utf8");
  return text.slice(text.indexOf("select * from stockroom_apply(")).trim();
};
const [before, after] = APPLY_STOCK_SQL.split("$1");
const reason = await postgresUnavailableReason();

describe("pgbench transfer scripts", () => {
  it("send the server's statement, one operation per transfer", () => {
    for (const file of [scripts.transferHot, scripts.transferCold, scripts.batch]) {
      const statement = statementOf(file);
      expect(statement.startsWith(before!)).toBe(true);
      expect(statement.endsWith(`${after};`)).toBe(true);
    }
    expect(statementOf(scripts.batch).match(/"transfer_out"/g)).toHaveLength(PGBENCH_BATCH);
  });

  it.skipIf(reason !== null)("fill in to the very JSON the server would bind", async () => {
    const values: Record<string, string> = {
      i: "3",
      a: "0",
      b: "2",
      rx: "1",
      ry: "2",
      actor: "'00000000-0000-4000-8000-0000000000aa'",
    };
    const statement = statementOf(scripts.transferHot);
    const parameter = statement
      .slice(before!.length, statement.length - after!.length - 1)
      .replace(/:(\w+)/g, (m, name: string) => values[name] ?? m);
    const expected = changesJson([
      transferOperation({
        productId: "00000000-0000-4000-8000-000000000003",
        sourceStoreId: "lt-s00",
        targetStoreId: "lt-s02",
        quantity: 1,
        reference: "loadtest",
        transferId: "00000000-0000-0001-0000-000000000002",
        actor: "00000000-0000-4000-8000-0000000000aa",
      }),
    ]);
    const client = new pg.Client({ connectionString: postgresAdminUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ same: boolean }>(
        `select ${parameter}::jsonb = $1::jsonb as same`,
        [expected],
      );
      expect(rows[0]?.same).toBe(true);
    } finally {
      await client.end();
    }
  });

  it.skipIf(reason !== null)(
    "write the server's reservation create and commit, holds and sale included",
    async () => {
      const text = readFileSync(scripts.checkout2, "utf8");
      const lines = text.split("\n");
      // Two transactions: the create (its insert's expiry kept with \gset), then the commit.
      expect(lines.filter((l) => l === "begin;")).toHaveLength(2);
      expect(lines.filter((l) => l === "commit;")).toHaveLength(2);
      expect(text).toMatch(/returning expires_at \\gset\n/);
      expect(text).toMatch(/from reservations r where r\.id = .* for update;/);
      const applied = lines.filter((l) => l.startsWith("select * from stockroom_apply("));
      expect(applied).toHaveLength(2);
      const values: Record<string, string> = {
        s: "4",
        i1: "7",
        i2: "2",
        lo: "2",
        hi: "7",
        rx: "1",
        ry: "2",
        actor: "'00000000-0000-4000-8000-0000000000aa'",
        expires_at: "'2026-11-30T15:40:00.123Z'",
      };
      const parameterOf = (statement: string) =>
        statement
          .slice(before!.length, statement.length - after!.length - 1)
          .replace(/:(\w+)/g, (m, name: string) => values[name] ?? m);
      const reservation = {
        id: "00000000-0000-0001-0000-000000000002",
        storeId: "lt-s04",
        reference: "loadtest",
        actor: "00000000-0000-4000-8000-0000000000aa",
      };
      const product = (i: number) => `00000000-0000-4000-8000-00000000000${i}`;
      const take = changesJson([
        takeOperation({
          ...reservation,
          // In the order the request names them.
          lines: [7, 2].map((i) => ({ productId: product(i), quantity: 1 })),
          expiresAt: "2026-11-30T15:40:00.123Z",
        }),
      ]);
      const held = [2, 7].map((i) => ({ productId: product(i), quantity: 1 }));
      const commit = changesJson([
        commitOperation({ ...reservation, lines: held, sold: new Map(held.map((l) => [l.productId, 1])) }),
      ]);
      const client = new pg.Client({ connectionString: postgresAdminUrl() });
      await client.connect();
      try {
        const { rows } = await client.query<{ take: boolean; commit: boolean }>(
          `select ${parameterOf(applied[0]!)}::jsonb = $1::jsonb as take, ${parameterOf(applied[1]!)}::jsonb = $2::jsonb as commit`,
          [take, commit],
        );
        expect(rows[0]).toEqual({ take: true, commit: true });
      } finally {
        await client.end();
      }
    },
  );
});
