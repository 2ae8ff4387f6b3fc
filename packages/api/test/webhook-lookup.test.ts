import type { lookup as dnsLookup, LookupAddress } from "node:dns";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { checkedLookup } from "../src/services/webhooks";

/**
 * Webhook deliveries connect through checkedLookup: the connection goes to an address that was
 * checked as it resolved, so a name that re-resolves to a private address after the URL was
 * checked (DNS rebinding) is refused at connect time instead of reached.
 */

/** A resolver that answers these addresses for every name. */
const answering = (...addresses: string[]) =>
  ((_host: string, _options: unknown, callback: (err: Error | null, found: LookupAddress[]) => void) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    )) as unknown as typeof dnsLookup;

const resolveWith = (lookup: ReturnType<typeof checkedLookup>, all: boolean) =>
  new Promise<{ err: NodeJS.ErrnoException | null; found: unknown; family?: number }>((resolve) =>
    lookup(
      "hooks.example.com",
      { all } as never,
      ((err: NodeJS.ErrnoException | null, found: unknown, family?: number) =>
        resolve({ err, found, family })) as never,
    ),
  );

describe("checkedLookup", () => {
  it("answers public addresses in the shape the caller asked for", async () => {
    const lookup = checkedLookup(answering("93.184.216.34", "2606:2800:220:1::1"));
    expect(await resolveWith(lookup, false)).toEqual({ err: null, found: "93.184.216.34", family: 4 });
    const all = await resolveWith(lookup, true);
    expect(all.err).toBeNull();
    expect(all.found).toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:2800:220:1::1", family: 6 },
    ]);
  });

  it("refuses a name with any private, loopback or link-local address", async () => {
    for (const bad of ["10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "::ffff:192.168.1.1", "fd00::1"]) {
      const { err } = await resolveWith(checkedLookup(answering("93.184.216.34", bad)), false);
      expect(err?.code).toBe("WEBHOOK_URL_REFUSED");
      expect(err?.message).toContain(bad);
    }
  });

  it("stops a connection to a name that now resolves to a private address: nothing reaches it", async () => {
    let reached = 0;
    const server = createServer((_req, res) => {
      reached++;
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
        const req = request(
          `http://rebound.example.com:${port}/`,
          { method: "POST", lookup: checkedLookup(answering("127.0.0.1")) },
          () => reject(new Error("the request was answered")),
        );
        req.on("error", resolve);
        req.end("{}");
      });
      expect(err.code).toBe("WEBHOOK_URL_REFUSED");
      expect(reached).toBe(0);
    } finally {
      server.close();
    }
  });
});
