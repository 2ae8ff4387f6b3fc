#!/usr/bin/env node
// Runs after `pnpm install`: does once, now, what the first `pnpm start` and every new test
// database would otherwise pay for: compiles the server, and makes the PGlite templates
// (initdb inside WebAssembly takes seconds and ~800 MiB; loading the result takes well under
// a second). Never fails the install: whatever is not ready here is made on first use.
// A production install (`pnpm install --prod`) has neither esbuild nor tsx: nothing to do.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const has = (name) => {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
};
const step = (what, args) => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = Math.round(performance.now() - started);
  if (run.status === 0) process.stdout.write(`stockroom: ${what} (${ms} ms)\n`);
  else process.stdout.write(`stockroom: could not ${what}; it will happen on first use:\n${run.stderr}\n`);
};

if (process.env.STOCKROOM_SKIP_POSTINSTALL === "1") process.exit(0);
if (has("esbuild")) step("compiled the server", ["scripts/build-server.mjs"]);
if (has("tsx"))
  step("prepared the PGlite templates", ["--import", "tsx", "packages/db/scripts/prepare-templates.ts"]);
