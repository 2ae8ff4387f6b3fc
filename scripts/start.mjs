#!/usr/bin/env node
// `pnpm start`: runs the compiled server (apps/server/dist/main.mjs), compiling it first
// when it is missing or older than any file it was built from (a fresh clone, a pull, an
// edit), so the README's two commands keep working and TypeScript is not compiled at run
// time on every start. STOCKROOM_FROM_SOURCE=1 runs the TypeScript through tsx instead.
import { pathToFileURL } from "node:url";
import { buildServer, isServerBuildFresh, serverBundle } from "./build-server.mjs";

if (process.env.STOCKROOM_FROM_SOURCE === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../apps/server/src/main.ts");
} else {
  if (!isServerBuildFresh()) {
    const { ms } = await buildServer();
    process.stderr.write(`stockroom: compiled the server in ${ms} ms\n`);
  }
  await import(pathToFileURL(serverBundle).href);
}
