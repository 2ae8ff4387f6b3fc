import {
  type Cluster,
  createPrivateCluster,
  privateClusterUnavailableReason,
} from "@stockroom/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStockroomClient, type FetchLike, StockroomError } from "../src/index";
import { startTestServer, type TestServer } from "./server";

// Read your writes through any server process: the client keeps the highest Write-Position a
// change was answered and sends it as Read-After with its reads.

/** A fake server: answers each request from `answer` and records what was sent. */
function recording(answer: (url: string, init: RequestInit) => { body: unknown; headers?: HeadersInit }) {
  const sent: Array<{ method: string; path: string; readAfter: string | null }> = [];
  const fetch: FetchLike = async (url, init) => {
    sent.push({
      method: init.method ?? "GET",
      path: new URL(url).pathname,
      readAfter: new Headers(init.headers).get("read-after"),
    });
    const { body, headers } = answer(url, init);
    const res = new Response(JSON.stringify(body), { status: 200, headers });
    res.headers.set("content-type", "application/json");
    return res;
  };
  return { fetch, sent };
}

const store = {
  id: "s1",
  name: "S",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const page = { items: [], total: 0, limit: 20, offset: 0, nextCursor: null };

describe("the client's write position", () => {
  it("sends the highest Write-Position it was answered with every read, never with changes", async () => {
    const positions = ["0/3000148", "0/2000000", "not-a-position", "1/0"];
    const { fetch, sent } = recording((url, init) => {
      if (init.method === "POST")
        return { body: { result: { data: store } }, headers: { "write-position": positions.shift()! } };
      const calls = new URL(url).pathname.split("/").pop()!.split(",").length;
      return { body: Array.from({ length: calls }, () => ({ result: { data: page } })) };
    });
    const client = createStockroomClient({ url: "http://stockroom.test", apiKey: "k", fetch });

    await client.stores.list();
    expect(sent.at(-1)?.readAfter).toBeNull();
    await client.stores.create({ id: "s1", name: "S" });
    expect(sent.at(-1)).toMatchObject({ method: "POST", readAfter: null });
    await client.stores.list();
    expect(sent.at(-1)?.readAfter).toBe("0/3000148");
    // A lower position (an answer that overtook another, or another process) does not go back.
    await client.stores.create({ id: "s2", name: "S" });
    await client.stores.list();
    expect(sent.at(-1)?.readAfter).toBe("0/3000148");
    // Something that is not a position is ignored.
    await client.stores.create({ id: "s3", name: "S" });
    await client.stores.list();
    expect(sent.at(-1)?.readAfter).toBe("0/3000148");
    // Compared as numbers across the 32-bit boundary, not as text.
    await client.stores.create({ id: "s4", name: "S" });
    await Promise.all([client.stores.list(), client.products.list()]);
    expect(sent.at(-1)).toMatchObject({ method: "GET", readAfter: "1/0" });
    expect(sent.filter((s) => s.method === "POST").every((s) => s.readAfter === null)).toBe(true);

    // Per client instance: another client has seen no change.
    const other = recording(() => ({ body: [{ result: { data: page } }] }));
    await createStockroomClient({
      url: "http://stockroom.test",
      apiKey: "k",
      fetch: other.fetch,
    }).stores.list();
    expect(other.sent[0]?.readAfter).toBeNull();
  });

  it("readYourWrites: false sends nothing", async () => {
    const { fetch, sent } = recording((_url, init) =>
      init.method === "POST"
        ? { body: { result: { data: store } }, headers: { "write-position": "0/3000148" } }
        : { body: [{ result: { data: page } }] },
    );
    const client = createStockroomClient({
      url: "http://stockroom.test",
      apiKey: "k",
      fetch,
      readYourWrites: false,
    });
    await client.stores.create({ id: "s1", name: "S" });
    await client.stores.list();
    expect(sent.map((s) => s.readAfter)).toEqual([null, null]);
  });
});

const reason = privateClusterUnavailableReason();
if (reason)
  console.warn(
    `[stockroom tests] SKIPPING the SDK's read-your-writes test on a streaming replica: ${reason}`,
  );

describe.skipIf(reason !== null)("through a load balancer, against a PostgreSQL streaming replica", () => {
  let primary: Cluster | undefined;
  let standby: Cluster | undefined;
  const servers: TestServer[] = [];

  beforeAll(async () => {
    primary = await createPrivateCluster();
    standby = await createPrivateCluster({ standbyOf: primary });
    for (let i = 0; i < 2; i++)
      servers.push(
        await startTestServer({
          DATABASE_URL: primary.url("postgres"),
          DATABASE_REPLICA_URL: standby.url("postgres"),
          // Paused replay must not take the replica out of service: the stale read is the proof.
          STOCKROOM_REPLICA_MAX_LAG_MS: "600000",
          STOCKROOM_REPLICA_CHECK_MS: "100",
        }),
      );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
    await standby?.destroy();
    await primary?.destroy();
  }, 120_000);

  it("a client reads its own change although the read lands on another process and the replica is paused", async () => {
    const [a, b] = servers as [TestServer, TestServer];
    // The balancer: changes to one process, reads to the other.
    const balancer: FetchLike = (url, init) =>
      fetch(url.replace(/^http:\/\/[^/]+/, (init.method ?? "GET") === "GET" ? b.url : a.url), init);
    const client = createStockroomClient({ url: a.url, apiKey: a.apiKey, fetch: balancer, maxRetries: 0 });
    const blind = createStockroomClient({
      url: a.url,
      apiKey: a.apiKey,
      fetch: balancer,
      maxRetries: 0,
      readYourWrites: false,
    });
    // Both processes have placed the replica (it serves reads) before replay stops.
    for (const s of servers) {
      const started = Date.now();
      while (
        ((await (await fetch(`${s.url}/ready`)).json()) as { replica?: { state: string } }).replica?.state !==
        "streaming"
      ) {
        if (Date.now() - started > 60_000) throw new Error("the replica never became streaming");
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    await standby!.replay("pause");
    try {
      const created = await client.products.create({
        sku: "RYW-1",
        name: "Read your writes",
        category: "t",
        price: 1,
      });
      expect((await client.products.get({ id: created.id })).sku).toBe("RYW-1");
      // The same read without the position is served by the paused replica, which lacks it.
      const missed = await blind.products.get({ id: created.id }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(missed).toBeInstanceOf(StockroomError);
      expect((missed as StockroomError).code).toBe("NOT_FOUND");
    } finally {
      await standby!.replay("resume");
    }
  });
});
