import { streamEvents } from "@stockroom/sdk";
import { connectionFrom } from "../../lib/client";
import { defineApiCommand } from "../../lib/command";

export default defineApiCommand({
  meta: {
    name: "tail",
    description: "Print events as they happen (Ctrl-C stops); --json prints one JSON event per line",
  },
  args: {
    type: {
      type: "string",
      description: "Only these types, comma-separated (e.g. stock.low,stock.restored)",
    },
    product: { type: "string", description: "Only this product", valueHint: "id" },
    store: { type: "string", description: "Only this store", valueHint: "id" },
    after: {
      type: "string",
      description: "Start after this sequence (default: from now on)",
      valueHint: "n",
    },
    limit: { type: "string", description: "Stop after this many events", valueHint: "n" },
  },
  async run({ args, client, out }) {
    const connection = connectionFrom(args);
    let after = args.after;
    // A first read through the client: an unreachable server or a bad key fails here, with
    // the CLI's exit codes, instead of the stream retrying.
    if (after !== undefined) await client.events.list({ after, limit: 1 });
    else {
      // From now on: the feed's current end.
      let page = await client.events.list({ limit: 100 });
      while (page.items.length === 100)
        page = await client.events.list({ after: page.nextCursor ?? undefined, limit: 100 });
      after = page.nextCursor ?? undefined;
    }
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    const max = args.limit === undefined ? Number.POSITIVE_INFINITY : Number(args.limit);
    let n = 0;
    for await (const e of streamEvents(
      { ...connection, headers: { "user-agent": "stockroom-cli" } },
      { after, types: args.type as never, productId: args.product, storeId: args.store },
      { signal: stop.signal },
    )) {
      if (out.jsonMode) process.stdout.write(`${JSON.stringify(e)}\n`);
      else out.line(`${e.sequence}  ${e.createdAt}  ${e.type.padEnd(22)} ${JSON.stringify(e.data)}`);
      if (++n >= max) break;
    }
  },
});
