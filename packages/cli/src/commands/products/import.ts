import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { parseIntArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { CliFailure } from "../../lib/exit";
import { assertReadableFile } from "../../lib/files";
import { colors, renderTable } from "../../lib/output";
import { createProgress } from "../../lib/progress";
import type { Product } from "./columns";
import { type ParsedRow, type RowFailure, readProductCsv, sameProduct } from "./csv-format";

const MAX_CHUNK_ROWS = 1000;
// The server refuses bodies over 1 MiB; leave room for the envelope.
const MAX_CHUNK_BYTES = 900_000;

/** The good rows of the file, a second read, grouped into request-sized chunks. */
async function* chunks(file: string, size: number): AsyncGenerator<ParsedRow[]> {
  let current: ParsedRow[] = [];
  let bytes = 0;
  for await (const checked of readProductCsv(createReadStream(file))) {
    if (!checked.ok) continue;
    const rowBytes = Buffer.byteLength(JSON.stringify(checked.row.item)) + 1;
    if (current.length > 0 && (current.length >= size || bytes + rowBytes > MAX_CHUNK_BYTES)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(checked.row);
    bytes += rowBytes;
  }
  if (current.length) yield current;
}

/**
 * The file is read twice (check everything, then send), so stdin is first copied to a
 * temporary file: memory stays flat however long the input.
 */
async function withInputFile<T>(file: string, use: (path: string) => Promise<T>): Promise<T> {
  if (file !== "-") {
    await assertReadableFile(file);
    return use(file);
  }
  const dir = await mkdtemp(join(tmpdir(), "stockroom-import-"));
  try {
    const copy = join(dir, "stdin.csv");
    await pipeline(process.stdin, createWriteStream(copy));
    return await use(copy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default defineApiCommand({
  meta: { name: "import", description: "Create or update products from a CSV file, by sku" },
  args: {
    file: {
      type: "positional",
      description: "CSV with header sku,name,description,category,price ('-' for stdin)",
      required: true,
    },
    "dry-run": { type: "boolean", description: "Check the file and say what would change; write nothing" },
    "on-error": {
      type: "enum",
      options: ["reject-all", "skip-failed"],
      default: "reject-all",
      description: "reject-all: any bad row means nothing is written; skip-failed: write the good rows",
    },
    "chunk-size": { type: "string", description: "Rows per request, 1..1000 (default 1000)", valueHint: "n" },
  },
  async run({ args, client, out }) {
    const onError = args["on-error"] === "skip-failed" ? "skip-failed" : "reject-all";
    const size =
      parseIntArg(args["chunk-size"], "--chunk-size", { min: 1, max: MAX_CHUNK_ROWS }) ?? MAX_CHUNK_ROWS;
    const dryRun = args["dry-run"] === true;
    const failed: RowFailure[] = [];
    let total = 0;
    let good = 0;
    let created = 0;
    let updated = 0;
    let unchanged = 0;
    let written = 0;
    let stopped: string | null = null;

    await withInputFile(args.file, async (path) => {
      let existing: Map<string, Product> | null = null;
      if (dryRun) {
        existing = new Map();
        let cursor: string | undefined;
        do {
          const page = await client.products.list({ limit: 100, sort: "sku", cursor });
          for (const p of page.items) existing.set(p.sku.toLowerCase(), p);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      }
      // First read: check every row, keeping only the failures and counts.
      for await (const checked of readProductCsv(createReadStream(path))) {
        total++;
        if (!checked.ok) failed.push(checked.failure);
        else {
          good++;
          if (existing) {
            const item = checked.row.item;
            const now = existing.get(item.sku.toLowerCase());
            if (!now) created++;
            else if (sameProduct(now, item)) unchanged++;
            else updated++;
          }
        }
      }
      if (dryRun) return;
      if (onError === "reject-all" && failed.length > 0) {
        stopped =
          "Nothing was written: fix the rows above, or pass --on-error skip-failed to import the good ones.";
        return;
      }
      // Second read: send the good rows.
      const progress = createProgress({ total: good, label: "Importing", quiet: out.jsonMode });
      let done = 0;
      try {
        for await (const part of chunks(path, size)) {
          const result = await client.products.upsertMany({
            items: part.map((r) => r.item),
            onError: onError === "skip-failed" ? "skipFailed" : "rejectAll",
          });
          for (const f of result.failed)
            failed.push({ row: part[f.index]?.row ?? 0, sku: f.sku, code: f.code, detail: f.detail });
          done += part.length;
          progress.update(done);
          if (onError === "reject-all" && result.failed.length > 0) {
            stopped = `The server refused a row, so that chunk and the rest were not written; ${written} rows before row ${part[0]!.row} were.`;
            break;
          }
          created += result.created;
          updated += result.updated;
          written += result.created + result.updated;
        }
      } catch (err) {
        if (written > 0) out.warn(`${written} rows were written before this failure.`);
        throw err;
      } finally {
        progress.done();
      }
    });

    failed.sort((a, b) => a.row - b.row);
    const summary = {
      file: args.file,
      dryRun,
      onError,
      rows: total,
      created,
      updated,
      ...(dryRun ? { unchanged } : {}),
      failed,
    };
    out.result(summary, () => {
      out.line(
        dryRun
          ? `Dry run: would create ${created}, update ${updated}, leave ${unchanged} unchanged, ${failed.length} failed, of ${total} rows (nothing written).`
          : `Created ${created}, updated ${updated}, ${failed.length} failed, of ${total} rows.`,
      );
    });
    if (failed.length > 0) {
      // The per-row report goes to stderr, so stdout keeps only the summary (or the JSON).
      const table = renderTable(
        failed,
        [
          { header: "row", value: (f) => f.row, align: "right" },
          { header: "sku", value: (f) => f.sku },
          { header: "code", value: (f) => f.code },
          { header: "detail", value: (f) => f.detail },
        ],
        colors(process.stderr),
      );
      process.stderr.write(`${table}\n`);
      throw new CliFailure(
        "IMPORT_FAILED",
        `${failed.length} of ${total} rows failed${stopped ? "" : dryRun ? " the checks" : " and were skipped"}`,
        { hint: stopped ?? (dryRun ? "Fix those rows before importing." : undefined) },
      );
    }
  },
});
