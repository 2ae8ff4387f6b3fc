#!/usr/bin/env node
// Runs the built CLI (dist/, from `pnpm build`) when it is newer than every source file it
// was built from; otherwise runs the TypeScript source through tsx, so a fresh clone works
// right after `pnpm install` and an edit is never shadowed by a stale build.
// The `db` commands always run from source: they load the workspace db package (TypeScript)
// and PGlite, which the build leaves out. STOCKROOM_CLI_FROM_SOURCE=1 forces the source.
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "dist", "main.js");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsFresh() {
  if (process.env.STOCKROOM_CLI_FROM_SOURCE === "1" || !existsSync(built)) return false;
  if (process.argv.slice(2).find((a) => !a.startsWith("-")) === "db") return false;
  const sources = [join(root, "src")];
  try {
    const sdk = dirname(createRequire(import.meta.url).resolve("@stockroom/sdk/package.json"));
    sources.push(join(sdk, "src"));
  } catch {}
  const builtAt = statSync(built).mtimeMs;
  return sources.every((dir) => !existsSync(dir) || newestSource(dir) <= builtAt);
}

// `stockroom products export | head` closes the pipe early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});

let main;
if (builtIsFresh()) {
  ({ main } = await import(pathToFileURL(built).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/main.ts"));
}
const code = await main(process.argv.slice(2));
// Let stdout drain (pipes), then exit even if an idle keep-alive socket lingers.
process.stdout.write("", () => process.exit(code));
