/**
 * What query batching buys: a page that issues five reads at once, through a batching client
 * (one HTTP request) and an unbatched one (five), against the in-process test server on an
 * embedded database. Rounds alternate the two clients so that warm-up and background load
 * fall on both alike. Prints a table and the ratios; it asserts nothing.
 *
 *   pnpm --filter @stockroom/sdk bench            (ROUNDS=… PAGES=… CONCURRENCY=… to change)
 */
import { availableParallelism, cpus } from "node:os";
import { startTestServer } from "@stockroom/server/testing";
import { createStockroomClient, type FetchLike, type StockroomClient } from "../src/index";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PAGES = Number(process.env.PAGES ?? 100);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);

/** A dashboard's reads: products, stores, alerts, recent movements, one store's levels. */
const page = (c: StockroomClient) =>
  Promise.all([
    c.products.list({ limit: 20, sort: "sku" }),
    c.stores.list(),
    c.inventory.alerts({ storeId: "store1" }),
    c.movements.list({ limit: 20 }),
    c.inventory.listByStore({ storeId: "store1", limit: 20 }),
  ]);

interface Sample {
  latencies: number[];
  requests: number;
  elapsedMs: number;
  pages: number;
}

/** `concurrency` users, each with its own client (so one user's batch never carries another's reads). */
async function run(
  make: () => StockroomClient,
  counter: { requests: number },
  pages: number,
  concurrency: number,
) {
  const latencies: number[] = [];
  const before = counter.requests;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const client = make();
      while (next++ < pages) {
        const t = performance.now();
        await page(client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, requests: counter.requests - before, elapsedMs: performance.now() - started, pages };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

function merge(samples: Sample[]): Sample {
  return {
    latencies: samples.flatMap((s) => s.latencies),
    requests: samples.reduce((n, s) => n + s.requests, 0),
    elapsedMs: samples.reduce((n, s) => n + s.elapsedMs, 0),
    pages: samples.reduce((n, s) => n + s.pages, 0),
  };
}

async function main() {
  const server = await startTestServer({ STOCKROOM_RATE_LIMIT: "0" });
  try {
    const make = (batch: boolean) => {
      const counter = { requests: 0 };
      const counting: FetchLike = (url, init) => {
        counter.requests++;
        return fetch(url, init);
      };
      return {
        counter,
        client: () =>
          createStockroomClient({ url: server.url, apiKey: server.apiKey, batch, fetch: counting }),
      };
    };
    const batched = make(true);
    const unbatched = make(false);
    // Warm-up: JIT, connection pools, the database's caches.
    await run(batched.client, batched.counter, 50, 4);
    await run(unbatched.client, unbatched.counter, 50, 4);

    const rows: string[] = [];
    for (const concurrency of [1, CONCURRENCY]) {
      const b: Sample[] = [];
      const u: Sample[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? [true, false] : [false, true];
        for (const batch of order) {
          const { client, counter } = batch ? batched : unbatched;
          (batch ? b : u).push(await run(client, counter, PAGES, concurrency));
        }
      }
      const [mb, mu] = [merge(b), merge(u)];
      const line = (name: string, s: Sample) =>
        `| ${concurrency} | ${name} | ${(s.requests / s.pages).toFixed(1)} | ${quantile(s.latencies, 0.5).toFixed(2)} | ${quantile(s.latencies, 0.95).toFixed(2)} | ${((s.pages / s.elapsedMs) * 1000).toFixed(0)} |`;
      rows.push(line("batched", mb), line("unbatched", mu));
      rows.push(
        `| ${concurrency} | **ratio** (unbatched / batched) | | ${(quantile(mu.latencies, 0.5) / quantile(mb.latencies, 0.5)).toFixed(2)}× | ${(quantile(mu.latencies, 0.95) / quantile(mb.latencies, 0.95)).toFixed(2)}× | ${(mb.pages / mb.elapsedMs / (mu.pages / mu.elapsedMs)).toFixed(2)}× (batched / unbatched) |`,
      );
    }
    console.log(
      `Five reads per page, ${ROUNDS} rounds × ${PAGES} pages per client per concurrency; ` +
        `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), server in the same process; each concurrent page has its own client.\n`,
    );
    console.log("| concurrent pages | client | requests/page | p50 ms | p95 ms | pages/s |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const r of rows) console.log(r);
  } finally {
    await server.close();
  }
}

await main();
