import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `pnpm --filter @stockroom/loadtest pglite`: the embedded database's first start (new data
 * directory: initdb + migrations), reopen of an existing one, and in-memory start, each in a
 * fresh Node process so peak memory (max RSS) is the process's own. Prints medians of N runs.
 */
const probe = fileURLToPath(new URL("./pglite-probe.ts", import.meta.url));
const runs = Number(process.argv[2] ?? 3);

type Sample = { openMs: number; migrateMs: number; totalMs: number; rssMiB: number; maxRssMiB: number };
const measure = (dir: string): Sample =>
  JSON.parse(
    execFileSync(process.execPath, ["--import", import.meta.resolve("tsx"), probe, dir], {
      encoding: "utf8",
    }).trim(),
  );

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (samples: Sample[]) =>
  Object.fromEntries(
    (Object.keys(samples[0]!) as Array<keyof Sample>).map((k) => [k, median(samples.map((s) => s[k]))]),
  );

const first: Sample[] = [];
const reopen: Sample[] = [];
const memory: Sample[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), "stockroom-pglite-"));
  try {
    first.push(measure(join(dir, "data")));
    reopen.push(measure(join(dir, "data")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  memory.push(measure("memory://"));
}
const result = { runs, firstStart: summary(first), reopen: summary(reopen), inMemory: summary(memory) };
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
