import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScratchPostgres, postgresUnavailableReason } from "@stockroom/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildServer, type HttpResult, httpRequest, sleep, spawnServer } from "./child-server";

// SIGTERM in the middle of a load: the server stops taking connections, finishes what it
// accepted, and exits 0. A client may be refused (it can retry elsewhere); it must never be
// cut off in the middle of a request the server took.

const pgReason = await postgresUnavailableReason();
const backend = pgReason ? "pglite" : "postgres";
if (pgReason) console.warn(`[stockroom tests] shutdown test runs on PGlite in a temp data dir: ${pgReason}`);

const ADMIN = "sk_test_shutdown_admin_0123456789";
const SHUTDOWN_TIMEOUT_MS = 10_000;
const WORKERS = 16;

interface Sent {
  requestId: string;
  kind: "transfer" | "list" | "batch";
  startedMs: number;
  endedMs: number;
  result: HttpResult;
}

describe(`graceful shutdown on ${backend}`, () => {
  let dbEnv: Record<string, string>;
  let dropDatabase: () => Promise<void> = async () => {};
  const figures: Record<string, unknown> = { backend };

  beforeAll(async () => {
    if (backend === "postgres") {
      const scratch = await createScratchPostgres();
      dbEnv = { DATABASE_URL: scratch.url };
      dropDatabase = scratch.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), "stockroom-shutdown-"));
      dbEnv = { STOCKROOM_DATA_DIR: dir };
      dropDatabase = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await dropDatabase();
    console.log(`[shutdown figures] ${JSON.stringify(figures)}`);
  });

  const start = () =>
    spawnServer({
      ...dbEnv,
      STOCKROOM_BOOTSTRAP_KEY: ADMIN,
      // Info level: the request log says which requests the server took and answered.
      LOG_LEVEL: "info",
      STOCKROOM_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
  const auth = { authorization: `Bearer ${ADMIN}` };

  it("SIGTERM under load: in-flight requests complete, nothing accepted is reset, exit 0, data consistent", async () => {
    let server: ChildServer | undefined = await start();
    const call = (method: string, path: string, body?: unknown) =>
      httpRequest(`${server!.url}${path}`, { method, body, headers: auth });
    for (const id of ["sd-a", "sd-b"])
      expect((await call("POST", "/api/stores", { id, name: id })).ok).toBe(true);
    const products: string[] = [];
    for (const sku of ["SD-1", "SD-2", "SD-3"]) {
      const p = await call("POST", "/api/products", { sku, name: sku, category: "shutdown", price: 1 });
      products.push((p as { body: { id: string } }).body.id);
      const r = await call("POST", "/api/inventory/adjustments", {
        productId: products.at(-1),
        storeId: "sd-a",
        delta: 100_000,
        reason: "received",
      });
      expect(r.ok && r.status).toBe(201);
    }

    // Keep-alive on purpose: reused sockets are where a careless shutdown resets requests.
    const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
    const t0 = performance.now();
    const now = () => Math.round(performance.now() - t0);
    const sent: Sent[] = [];
    let stop = false;
    let n = 0;
    const batch = (i: number) => ({
      items: Array.from({ length: 300 }, (_, j) => ({
        sku: `SD-B-${j}`,
        name: `Batch ${i}`,
        category: "shutdown",
        price: 2,
      })),
      onError: "rejectAll",
    });
    const worker = async (w: number) => {
      while (!stop) {
        const i = n++;
        const requestId = `sd-${i}`;
        const kind = i % 7 === 0 ? "batch" : i % 3 === 0 ? "list" : "transfer";
        const [from, to] = i % 2 ? ["sd-a", "sd-b"] : ["sd-b", "sd-a"];
        const startedMs = now();
        const result = await httpRequest(
          `${server!.url}${kind === "transfer" ? "/api/inventory/transfer" : kind === "batch" ? "/api/products/batch" : "/api/products?limit=100"}`,
          {
            method: kind === "list" ? "GET" : "POST",
            agent,
            timeoutMs: SHUTDOWN_TIMEOUT_MS + 10_000,
            headers: { ...auth, "x-request-id": requestId },
            body:
              kind === "transfer"
                ? {
                    productId: products[w % products.length],
                    sourceStoreId: from,
                    targetStoreId: to,
                    quantity: 1,
                    reference: requestId,
                  }
                : kind === "batch"
                  ? batch(i)
                  : undefined,
          },
        );
        sent.push({ requestId, kind, startedMs, endedMs: now(), result });
        if (!result.ok && result.error === "ECONNREFUSED") await sleep(20);
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));

    await sleep(1500);
    const sigtermAt = now();
    process.kill(server.pid, "SIGTERM");
    const exit = await Promise.race([server.exited, sleep(SHUTDOWN_TIMEOUT_MS + 10_000).then(() => null)]);
    const exitedAt = now();
    // Let the workers see the closed port for a moment, then stop them.
    await sleep(300);
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const log = server.output();
    server = undefined;

    const shutdownMs = exitedAt - sigtermAt;

    // What the server says it took and answered, from its request log.
    const answered = new Map<string, number>();
    for (const line of log.split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as { requestId?: string; status?: number; route?: string };
      if (entry.requestId && entry.status) answered.set(entry.requestId, entry.status);
    }

    // In flight at SIGTERM: sent before it, answered after it, and read by the server. A
    // request written to an idle keep-alive socket just as the server closed it was never
    // read (it is not in the log); it is counted apart, a client retries it.
    const overlapping = sent.filter((s) => s.startedMs < sigtermAt && s.endedMs > sigtermAt);
    const inFlight = overlapping.filter((s) => s.result.ok || answered.has(s.requestId));
    const completedInFlight = inFlight.filter((s) => s.result.ok);
    const failures = sent.filter((s) => !s.result.ok);
    const byError: Record<string, number> = {};
    for (const s of failures) {
      const e = (s.result as { error: string }).error;
      byError[e] = (byError[e] ?? 0) + 1;
    }
    // A request the server logged as answered must have reached its client whole.
    const resetAfterAccepted = failures.filter((s) => answered.has(s.requestId));
    const fiveHundreds = sent.filter((s) => s.result.ok && s.result.status >= 500);
    Object.assign(figures, {
      requests: sent.length,
      inFlightAtSigterm: inFlight.length,
      completedInFlight: completedInFlight.length,
      sentBeforeSigtermNeverRead: overlapping.length - inFlight.length,
      clientErrors: byError,
      resetAfterAccepted: resetAfterAccepted.length,
      fiveHundreds: fiveHundreds.length,
      shutdownMs,
      exitCode: exit?.code,
    });

    expect(exit, "the server did not exit after SIGTERM").not.toBeNull();
    expect({ code: exit!.code, signal: exit!.signal }).toEqual({ code: 0, signal: null });
    // Well inside the cut-off: draining finished by itself, nothing was forced closed.
    expect(shutdownMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    expect(inFlight.length, "no request was in flight at SIGTERM: the test proves nothing").toBeGreaterThan(
      0,
    );
    expect(completedInFlight.length).toBe(inFlight.length);
    expect(resetAfterAccepted.map((s) => `${s.requestId} ${JSON.stringify(s.result)}`)).toEqual([]);
    expect(byError.TIMEOUT ?? 0).toBe(0);
    expect(byError.INCOMPLETE ?? 0).toBe(0);
    expect(fiveHundreds.map((s) => (s.result as { text: string }).text.slice(0, 200))).toEqual([]);
    for (const s of sent)
      if (s.result.ok)
        expect([s.requestId, answered.get(s.requestId)]).toEqual([s.requestId, s.result.status]);

    // Back up on the same database: nothing half-written.
    server = await start();
    try {
      const audit = await call("GET", "/api/inventory/audit");
      expect(audit.ok && audit.status).toBe(200);
      expect((audit as { body: { discrepancies: unknown[] } }).body.discrepancies).toEqual([]);
      const acked = new Map<string, string>();
      for (const s of sent)
        if (s.kind === "transfer" && s.result.ok && s.result.status === 201)
          acked.set(s.requestId, s.result.body.transferId);
      const ledger = new Map<string, { legs: number; sum: number }>();
      for (const storeId of ["sd-a", "sd-b"]) {
        let cursor: string | null = null;
        do {
          const page = await call(
            "GET",
            `/api/movements?storeId=${storeId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
          );
          if (!page.ok) throw new Error(`ledger read failed: ${page.error}`);
          for (const m of page.body.items as Array<{
            transferId: string | null;
            reference: string;
            delta: number;
          }>) {
            if (!m.transferId) continue;
            const entry = ledger.get(m.reference) ?? { legs: 0, sum: 0 };
            entry.legs++;
            entry.sum += m.delta;
            ledger.set(m.reference, entry);
          }
          cursor = page.body.nextCursor;
        } while (cursor);
      }
      for (const [requestId] of acked)
        expect([requestId, ledger.get(requestId)]).toEqual([requestId, { legs: 2, sum: 0 }]);
      // A transfer in the ledger that its client never heard about would be work done and lost.
      const unanswered = [...ledger.keys()].filter((ref) => !acked.has(ref));
      expect(unanswered).toEqual([]);
      figures.transfersCommitted = ledger.size;
    } finally {
      process.kill(server.pid, "SIGTERM");
      await server.exited;
    }
  }, 120_000);
});
