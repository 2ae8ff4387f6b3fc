import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECURITY_HEADERS } from "../src/headers";
import { startTestServer, type TestServer } from "../src/testing";
import { httpRequest } from "./child-server";

/**
 * Under Node the server takes shortcuts that in-process requests (app.request) never see:
 * headers and the body are read from Node's request, hot REST answers are written with all
 * their headers in one object, and plain queries skip tRPC's middleware runner. These tests
 * go over a real socket to prove the answers are the same as through the slow paths.
 */
describe("REST over a real socket (Node fast paths)", () => {
  let server: TestServer;
  const auth = () => ({ authorization: `Bearer ${server.apiKey}` });

  beforeAll(async () => {
    server = await startTestServer();
  }, 120_000);
  afterAll(() => server?.close());

  const expectShellHeaders = (headers: http.IncomingHttpHeaders) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(headers[k], k).toBe(v);
    expect(headers["x-request-id"]).toBeTruthy();
  };

  it("answers a list with the security headers, the request id and JSON", async () => {
    const r = await httpRequest(`${server.url}/api/products?limit=3`, {
      headers: { ...auth(), "x-request-id": "node-path-1" },
    });
    expect(r.ok && r.status).toBe(200);
    if (!r.ok) return;
    expectShellHeaders(r.headers);
    expect(r.headers["x-request-id"]).toBe("node-path-1");
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.text));
    expect(r.body.items).toHaveLength(3);
  });

  it("gives the same answers as tRPC, which runs the full procedure", async () => {
    const cases: Array<[string, string, unknown]> = [
      ["/api/products?limit=5&sort=-price", "products.list", { limit: 5, sort: "-price" }],
      ["/api/stores/store1/inventory?limit=5", "inventory.listByStore", { storeId: "store1", limit: 5 }],
      ["/api/inventory/alerts?limit=5", "inventory.alerts", { limit: 5 }],
    ];
    for (const [path, procedure, input] of cases) {
      const rest = await httpRequest(`${server.url}${path}`, { headers: auth() });
      const url = `${server.url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
      const trpc = await httpRequest(url, { headers: auth() });
      expect(rest.ok && rest.status, path).toBe(200);
      expect(trpc.ok && trpc.status, procedure).toBe(200);
      if (rest.ok && trpc.ok) expect(rest.body, path).toEqual(trpc.body.result.data);
    }
    const product = (await httpRequest(`${server.url}/api/products?limit=1`, { headers: auth() })) as {
      body: { items: Array<{ id: string; createdAt: string }> };
    };
    const item = product.body.items[0]!;
    expect(item.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const one = await httpRequest(`${server.url}/api/products/${item.id}`, { headers: auth() });
    expect(one.ok && one.body).toEqual(item);
  });

  it("checks the key before the input, as over tRPC", async () => {
    const r = await httpRequest(`${server.url}/api/products?limit=-5`);
    expect(r.ok && r.status).toBe(401);
    const bad = await httpRequest(`${server.url}/api/products?limit=-5`, { headers: auth() });
    expect(bad.ok && bad.status).toBe(400);
    if (bad.ok) {
      expect(bad.headers["content-type"]).toBe("application/problem+json");
      expect(bad.body.code).toBe("VALIDATION_FAILED");
      expect(bad.body.issues[0].path).toBe("limit");
      expectShellHeaders(bad.headers);
    }
  });

  it("reads a JSON body from the socket and replays an idempotent write with its header", async () => {
    const body = { id: `node-${Date.now()}`, name: "Node path store" };
    const headers = { ...auth(), "idempotency-key": `k-${Date.now()}` };
    const first = await httpRequest(`${server.url}/api/stores`, { method: "POST", headers, body });
    expect(first.ok && first.status).toBe(201);
    const again = await httpRequest(`${server.url}/api/stores`, { method: "POST", headers, body });
    expect(again.ok && again.status).toBe(201);
    if (first.ok && again.ok) {
      expect(again.body).toEqual(first.body);
      expect(first.headers["idempotent-replayed"]).toBeUndefined();
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expectShellHeaders(again.headers);
    }
    const broken = await httpRequest(`${server.url}/api/stores`, {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: undefined,
    });
    expect(broken.ok && broken.status).toBe(400);
  });

  /** Sends a POST by hand: a declared length, or chunks without one. */
  function rawPost(
    path: string,
    chunks: Buffer[],
    declared?: number,
  ): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${server.url}${path}`, {
        method: "POST",
        headers: {
          ...auth(),
          "content-type": "application/json",
          ...(declared !== undefined ? { "content-length": String(declared) } : {}),
        },
      });
      req.on("error", reject);
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  it("refuses a body over 1 MiB, declared or streamed, and writes nothing", async () => {
    const big = Buffer.from(JSON.stringify({ id: "too-big", name: "x".repeat(1024 * 1024 + 10) }));
    const declared = await rawPost("/api/stores", [big], big.length);
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe("PAYLOAD_TOO_LARGE");

    const head = Buffer.from('{"id":"too-big-stream","name":"');
    const pieces = [
      head,
      ...Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x61)),
      Buffer.from('"}'),
    ];
    const streamed = await rawPost("/api/stores", pieces);
    expect(streamed.status).toBe(413);
    expect(streamed.body.code).toBe("PAYLOAD_TOO_LARGE");

    for (const id of ["too-big", "too-big-stream"]) {
      const r = await httpRequest(`${server.url}/api/stores/${id}`, { headers: auth() });
      expect(r.ok && r.status, id).toBe(404);
    }
    // Just under the cap still works, in many chunks.
    const fits = Buffer.from(JSON.stringify({ id: "fits", name: `Fits ${"a".repeat(50)}` }));
    const ok = await rawPost("/api/stores", [fits.subarray(0, 10), fits.subarray(10)]);
    expect(ok.status).toBe(201);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: a parsed JSON answer, checked by the assertions
type RawReply = { status: number; headers: string; body: any };

/** Sends bytes as they are and reads the answer until the server closes or goes quiet. */
function rawExchange(url: string, request: string): Promise<RawReply> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(request));
    const finish = () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split === -1) return reject(new Error(`no answer, got ${JSON.stringify(text.slice(0, 200))}`));
      const head = text.slice(0, split);
      const rest = text.slice(split + 4);
      let body: unknown = rest;
      try {
        body = rest ? JSON.parse(rest) : null;
      } catch {}
      resolve({ status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body });
    };
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      // One answer is all a test needs; a keep-alive socket would stay open.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) setTimeout(finish, 50);
    });
    socket.on("end", finish);
    socket.on("error", (err) => (chunks.length > 0 ? finish() : reject(err)));
  });
}

describe("what Node itself refuses is answered as problem+json too", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  }, 120_000);
  afterAll(() => server?.close());

  const expectRawProblem = (reply: RawReply, status: number, code: string) => {
    expect([reply.status, reply.body?.code, reply.body?.status]).toEqual([status, code, status]);
    expect(reply.headers).toContain("content-type: application/problem+json");
    expect(reply.headers).toContain(`x-request-id: ${reply.body.requestId}`);
    expect(reply.headers).toContain("x-content-type-options: nosniff");
  };

  it("a 70 KB URL is a 414, a 40 KB header a 431, and a 10 KB URL a 414 from the app", async () => {
    const auth = `Authorization: Bearer ${server.apiKey}\r\n`;
    const longUrl = await rawExchange(
      server.url,
      `GET /api/products?q=${"a".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    );
    expectRawProblem(longUrl, 414, "URI_TOO_LONG");
    const mediumUrl = await rawExchange(
      server.url,
      `GET /api/products?q=${"a".repeat(10_000)} HTTP/1.1\r\nHost: x\r\n${auth}\r\n`,
    );
    expectRawProblem(mediumUrl, 414, "URI_TOO_LONG");
    const bigHeader = await rawExchange(
      server.url,
      `GET /api/products HTTP/1.1\r\nHost: x\r\n${auth}X-Big: ${"a".repeat(40_000)}\r\n\r\n`,
    );
    expectRawProblem(bigHeader, 431, "HEADERS_TOO_LARGE");
    // And the server goes on serving.
    const health = await httpRequest(`${server.url}/health`);
    expect(health.ok && health.status).toBe(200);
  });

  it("malformed requests get a 400 problem naming what is wrong", async () => {
    for (const [request, says] of [
      ["G@T /health HTTP/1.1\r\nHost: x\r\n\r\n", /method/i],
      ["GET /health HTTP/1.1\r\nHo st: x\r\n\r\n", /header/i],
      ["GET /health HTTP/1.1\r\n\r\n", /host/i],
      ["GET /api\\products HTTP/1.1\r\nHost: x\r\n\r\n", /backslash/i],
      [
        "POST /api/stores HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        /transfer-encoding/i,
      ],
    ] as const) {
      const reply = await rawExchange(server.url, request);
      expectRawProblem(reply, 400, "VALIDATION_FAILED");
      expect([request, reply.body.detail]).toEqual([request, expect.stringMatching(says)]);
    }
  });

  it("GET / leads to the docs, and a 401 names the Bearer scheme", async () => {
    const root = await httpRequest(`${server.url}/`);
    expect(root.ok && [root.status, root.headers.location]).toEqual([302, "/docs"]);
    const noKey = await httpRequest(`${server.url}/api/products`);
    expect(noKey.ok && [noKey.status, noKey.headers["www-authenticate"]]).toEqual([
      401,
      'Bearer realm="stockroom"',
    ]);
    const badKey = await httpRequest(`${server.url}/trpc/products.list`, {
      headers: { authorization: "Bearer sk_live_nobody" },
    });
    expect(badKey.ok && [badKey.status, badKey.headers["www-authenticate"]]).toEqual([
      401,
      'Bearer realm="stockroom"',
    ]);
  });
});
