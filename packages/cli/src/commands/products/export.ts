import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { defineApiCommand } from "../../lib/command";
import { csvWriter } from "../../lib/csv";
import { UsageError } from "../../lib/exit";
import { createProgress, type Progress } from "../../lib/progress";
import { CSV_COLUMNS, productRecord } from "./csv-format";

const PAGE = 100;

export default defineApiCommand({
  meta: { name: "export", description: "Write products as CSV (the format import reads), sorted by sku" },
  args: {
    output: { type: "string", alias: "o", description: "File to write (default: stdout)", valueHint: "file" },
    category: { type: "string", description: "Only this category", valueHint: "name" },
    q: { type: "string", description: "Only products whose name or sku contains this", valueHint: "text" },
  },
  async run({ args, client, out }) {
    if (out.jsonMode && !args.output)
      throw new UsageError("--json needs --output: without it the CSV itself goes to stdout");
    const file = args.output ? await open(args.output, "w") : null;
    const write = async (text: Buffer) => {
      if (file) await file.write(text);
      else if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once("drain", r));
    };
    let rows = 0;
    let bar: Progress | null = null;
    // The first page counts every match: the progress bar's total (cursor pages count nothing).
    const page = (cursor?: string) =>
      client.products.list({
        category: args.category,
        q: args.q,
        sort: "sku",
        limit: PAGE,
        ...(cursor ? { cursor } : { exactTotal: true }),
      });

    // Records are pulled one page at a time as the writer drains, following the cursor, with
    // the next page already on its way: memory holds two pages however long the catalogue.
    async function* records() {
      yield [...CSV_COLUMNS];
      let next: ReturnType<typeof page> | null = page();
      while (next) {
        const current: Awaited<ReturnType<typeof page>> = await next;
        // The bar only accompanies a file: on stdout it would interleave with the CSV on a TTY.
        if (file && !bar)
          bar = createProgress({ total: current.total, label: "Exporting", quiet: out.jsonMode });
        next = current.nextCursor ? page(current.nextCursor) : null;
        // Awaited on the next turn; until then a failure must not count as unhandled.
        next?.catch(() => {});
        for (const p of current.items) yield productRecord(p);
        rows += current.items.length;
        bar?.update(rows);
      }
    }

    try {
      await pipeline(Readable.from(records()), csvWriter(), async (csv: AsyncIterable<Buffer>) => {
        for await (const chunk of csv) await write(chunk);
      });
    } finally {
      (bar as Progress | null)?.done();
      await file?.close();
    }
    if (file) {
      out.result({ file: args.output, rows }, () => out.note(`Wrote ${rows} products to ${args.output}`));
    }
  },
});
