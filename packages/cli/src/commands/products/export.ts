import { open } from "node:fs/promises";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { createProgress } from "../../lib/progress";
import { csvHeader, productToCsv } from "./csv-format";

const PAGE = 100;
const PARALLEL = 4;

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
    const write = async (text: string) => {
      if (file) await file.write(text);
      else if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once("drain", r));
    };
    let rows = 0;
    let bar: ReturnType<typeof createProgress> | null = null;
    const page = (offset: number) =>
      client.products.list({ category: args.category, q: args.q, sort: "sku", limit: PAGE, offset });
    try {
      await write(csvHeader());
      const first = await page(0);
      // The bar only accompanies a file: on stdout it would interleave with the CSV on a TTY.
      if (file) bar = createProgress({ total: first.total, label: "Exporting" });
      let pending = [Promise.resolve(first)];
      let next = PAGE;
      // A few pages in flight at once, written in order.
      while (pending.length > 0) {
        while (pending.length < PARALLEL && next < first.total) {
          pending.push(page(next));
          next += PAGE;
        }
        const current = await pending[0]!;
        pending = pending.slice(1);
        await write(current.items.map(productToCsv).join(""));
        rows += current.items.length;
        bar?.update(rows);
      }
    } finally {
      bar?.done();
      await file?.close();
    }
    if (file) {
      out.result({ file: args.output, rows }, () => out.note(`Wrote ${rows} products to ${args.output}`));
    }
  },
});
