import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startTestServer, type TestServer } from "./helpers";

// PGlite only: the commands are thin over the SDK, whose paths are tested on both databases.
describe("stockroom events and webhooks", () => {
  let server: TestServer;
  let receiver: Server;
  let hookUrl: string;
  let env: Record<string, string>;
  const bodies: string[] = [];
  const cli = (...args: string[]) => runCli(args, { env });
  let product: string;

  beforeAll(async () => {
    server = await startTestServer({
      STOCKROOM_WEBHOOK_ALLOW_PRIVATE: "true",
      STOCKROOM_WEBHOOK_POLL_MS: "20",
      STOCKROOM_EVENT_STREAM_POLL_MS: "20",
    });
    env = { STOCKROOM_URL: server.url, STOCKROOM_API_KEY: server.apiKey };
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    expect((await cli("stores", "create", "cli-ev", "--name", "CLI events")).code).toBe(0);
    const made = await cli(
      "products",
      "create",
      "--sku",
      "EV-1",
      "--name",
      "e",
      "--category",
      "t",
      "--price",
      "1",
      "--json",
    );
    product = made.json().id;
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await server?.close();
  });

  it("tails events after a cursor, one JSON event per line", async () => {
    // The feed's end now (the demo data wrote events already).
    let cursor = "0";
    for (;;) {
      const page = await fetch(`${server.url}/api/events?limit=100&after=${cursor}`, {
        headers: { authorization: `Bearer ${server.apiKey}` },
      }).then((r) => r.json());
      if (page.items.length === 0) break;
      cursor = page.nextCursor;
    }
    const tail = cli(
      "events",
      "tail",
      "--type",
      "stock.changed",
      "--after",
      cursor,
      "--limit",
      "2",
      "--json",
    );
    for (const delta of ["3", "-1"])
      expect(
        (
          await cli(
            "stock",
            "adjust",
            "EV-1",
            "--store",
            "cli-ev",
            "--delta",
            delta,
            "--reason",
            delta === "3" ? "received" : "sold",
          )
        ).code,
      ).toBe(0);
    const done = await tail;
    expect(done.code).toBe(0);
    const lines = done.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.type, e.data.productId, e.data.delta])).toEqual([
      ["stock.changed", product, 3],
      ["stock.changed", product, -1],
    ]);
  });

  it("creates, lists, tests, shows deliveries of and retries a webhook", async () => {
    const created = await cli("webhooks", "create", hookUrl, "--events", "stock.low", "--json");
    expect(created.code).toBe(0);
    const hook = created.json();
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await cli("webhooks", "list", "--json");
    expect(listed.json().items.map((w: { id: string }) => w.id)).toContain(hook.id);
    const tested = await cli("webhooks", "test", hook.id, "--json");
    expect(tested.code).toBe(0);
    const { eventId } = tested.json();
    let deliveries: { items: Array<{ eventId: string; status: string }> } = { items: [] };
    while (deliveries.items[0]?.status !== "delivered") {
      await new Promise((r) => setTimeout(r, 50));
      deliveries = (await cli("webhooks", "deliveries", hook.id, "--json")).json();
    }
    expect(deliveries.items[0]!.eventId).toBe(eventId);
    expect(bodies.map((b) => JSON.parse(b).id)).toContain(eventId);
    const retried = await cli("webhooks", "retry", hook.id, eventId, "--json");
    expect(retried.code).toBe(0);
    expect(retried.json()).toMatchObject({ eventId, status: "pending" });
    const human = await cli("webhooks", "deliveries", hook.id);
    expect(human.stdout).toContain(eventId);
    const bad = await cli("webhooks", "create", "https://127.0.0.1/x", "--events", "nope");
    expect(bad.code).not.toBe(0);
  });
});
