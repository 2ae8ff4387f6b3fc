#!/usr/bin/env node
// Compiles the server (apps/server and the workspace packages it imports, all TypeScript
// source) into one ES module, apps/server/dist/main.mjs, so `pnpm start` does not compile
// TypeScript at run time. Packages from node_modules are not bundled: each import of one is
// rewritten to the path of the file Node would load, relative to dist/, because the
// server's own node_modules does not hold the dependencies of the workspace packages
// (pnpm keeps them private) and some (PGlite, swagger-ui-dist) find their files next to
// their own code. `import.meta.url` in our source keeps pointing at the source file, so
// paths such as the migrations folder stay right.
//
//   node scripts/build-server.mjs           build
//   node scripts/build-server.mjs --check   exit 0 when the build is fresh, 1 when not
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "apps/server/dist");
export const serverBundle = join(outDir, "main.mjs");
const inputsFile = join(outDir, "main.inputs.json");
// A changed dependency (install, upgrade) can move the files the bundle points at.
const alwaysChecked = ["pnpm-lock.yaml", "scripts/build-server.mjs"].map((f) => join(root, f));

const toPosix = (p) => p.split(sep).join("/");
const relativeFromOut = (file) => {
  const rel = toPosix(relative(outDir, file));
  return rel.startsWith(".") ? rel : `./${rel}`;
};

/** True when the bundle exists and no file it was built from changed since. */
export function isServerBuildFresh() {
  if (!existsSync(serverBundle) || !existsSync(inputsFile)) return false;
  const builtAt = statSync(serverBundle).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
  } catch {
    return false;
  }
  for (const file of [...inputs.map((f) => join(root, f)), ...alwaysChecked]) {
    try {
      if (statSync(file).mtimeMs > builtAt) return false;
    } catch {
      return false;
    }
  }
  return true;
}

const externalizeNodeModules = {
  name: "externalize-node-modules",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.resolving || args.path.startsWith("node:")) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      if (!resolved.path.split(sep).includes("node_modules")) return resolved;
      return { path: relativeFromOut(resolved.path), external: true };
    });
  },
};

const keepImportMetaUrl = {
  name: "keep-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes("node_modules")) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const url = `new URL(${JSON.stringify(relativeFromOut(args.path))}, import.meta.url).href`;
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

export async function buildServer() {
  const esbuild = await import("esbuild");
  const started = performance.now();
  try {
    const result = await esbuild.build({
      entryPoints: [join(root, "apps/server/src/main.ts")],
      outfile: serverBundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      // Only Node's own conditions, so each import resolves to the file Node would pick.
      conditions: [],
      sourcemap: "linked",
      metafile: true,
      logLevel: "warning",
      plugins: [externalizeNodeModules, keepImportMetaUrl],
    });
    const inputs = Object.keys(result.metafile.inputs).map((p) =>
      toPosix(relative(root, join(process.cwd(), p))),
    );
    writeFileSync(inputsFile, `${JSON.stringify(inputs, null, 1)}\n`);
    return { ms: Math.round(performance.now() - started) };
  } finally {
    await esbuild.stop?.();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv.includes("--check")) process.exit(isServerBuildFresh() ? 0 : 1);
  const { ms } = await buildServer();
  process.stdout.write(`built ${relative(root, serverBundle)} in ${ms} ms\n`);
}
