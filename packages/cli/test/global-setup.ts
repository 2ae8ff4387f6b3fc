import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** The e2e tests spawn the built binary: build it first (a few seconds, no type declarations). */
export default async function setup() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  await promisify(execFile)("pnpm", ["exec", "tsup"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}
