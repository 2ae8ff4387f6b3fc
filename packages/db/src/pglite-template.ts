import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { installSqlSourcesOnPglite, readSqlSources } from "./sql-sources";

/**
 * Ready-made PGlite data directories, as archives (PGlite's dumpDataDir). A new PGlite
 * directory otherwise runs initdb inside WebAssembly: seconds of CPU and ~800 MiB of memory
 * on every first start and every test database. Loading an archive skips that.
 *
 * - "empty": just after initdb, plus our settings (shared_buffers). Restores start here.
 * - "migrated": "empty" with every committed migration applied. New server data
 *   directories and test databases start here; migrate() then finds nothing to do.
 *
 * They are made once per machine (`pnpm install` runs scripts/prepare-pglite.ts) and
 * cached under packages/db/node_modules/.cache, keyed by the PGlite version and the
 * migration files, so a changed migration or a PGlite upgrade makes new ones on next use.
 */
export type TemplateKind = "empty" | "migrated";

/**
 * PGlite's default is 128MB of shared buffers, allocated inside the WebAssembly heap. The
 * embedded database is small and the OS caches its files anyway: 16MB cut the resident
 * memory of a reopened database from ~290 to ~170 MiB.
 */
export const PGLITE_SETTINGS: Record<string, string> = { shared_buffers: "16MB" };

/**
 * The extensions the migrations create (pg_trgm: the trigram indexes of text search). PGlite
 * loads an extension's code only when the instance is created with it, so every PGlite this
 * project opens passes these options: one without them fails on the first statement that
 * touches a trigram index.
 */
export const PGLITE_EXTENSIONS = { pg_trgm } satisfies PGliteOptions["extensions"];

// Bump when the way a template is made changes, so old cached ones are not used.
const FORMAT = 1;

export const templateCacheDir = fileURLToPath(new URL("../node_modules/.cache/stockroom/", import.meta.url));

const pgliteVersion = (() => {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve("@electric-sql/pglite"));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version;
    } catch {}
  }
  return "unknown";
})();

function hash(...parts: (string | Buffer)[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex").slice(0, 16);
}

function migrationsDigest(migrationsFolder: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(migrationsFolder);
  // The SQL sources are installed into the migrated template too.
  const sources = readSqlSources().flatMap((s) => [s.name, s.sha256]);
  return hash(...files.flatMap((f) => [f.slice(migrationsFolder.length), readFileSync(f)]), ...sources);
}

function templateFile(kind: TemplateKind, migrationsFolder: string): string {
  const base = hash(String(FORMAT), pgliteVersion, JSON.stringify(PGLITE_SETTINGS));
  const key = kind === "empty" ? base : hash(base, migrationsDigest(migrationsFolder));
  return join(templateCacheDir, `pglite-${kind}-${key}.tar.gz`);
}

const inProcess = new Map<string, Promise<Blob>>();

/** The archive of a template, made (and cached on disk) if there is none yet. */
export function pgliteTemplate(kind: TemplateKind, migrationsFolder: string): Promise<Blob> {
  const file = templateFile(kind, migrationsFolder);
  let pending = inProcess.get(file);
  if (!pending) {
    pending = loadOrMake(kind, file, migrationsFolder);
    inProcess.set(file, pending);
    pending.catch(() => inProcess.delete(file));
  }
  return pending;
}

/** True when the template exists on disk, so opening a new database will not run initdb. */
export function hasPgliteTemplate(kind: TemplateKind, migrationsFolder: string): boolean {
  try {
    return statSync(templateFile(kind, migrationsFolder)).size > 0;
  } catch {
    return false;
  }
}

async function loadOrMake(kind: TemplateKind, file: string, migrationsFolder: string): Promise<Blob> {
  try {
    return new Blob([readFileSync(file)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const db =
    kind === "empty"
      ? await PGlite.create("memory://", { extensions: PGLITE_EXTENSIONS })
      : await PGlite.create("memory://", {
          extensions: PGLITE_EXTENSIONS,
          loadDataDir: await pgliteTemplate("empty", migrationsFolder),
        });
  let archive: Blob;
  try {
    if (kind === "empty")
      for (const [name, value] of Object.entries(PGLITE_SETTINGS))
        await db.exec(`alter system set ${name} = '${value}'`);
    else {
      await migrate(drizzle(db), { migrationsFolder });
      await installSqlSourcesOnPglite(db);
    }
    archive = await db.dumpDataDir("gzip");
  } finally {
    await db.close();
  }
  save(file, Buffer.from(await archive.arrayBuffer()), `pglite-${kind}-`);
  return archive;
}

/** Atomic (several test workers may make the same template at once); older ones of the kind go. */
function save(file: string, bytes: Buffer, prefix: string) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
    for (const name of readdirSync(dirname(file)))
      if (name.startsWith(prefix) && name.endsWith(".tar.gz") && join(dirname(file), name) !== file)
        rmSync(join(dirname(file), name), { force: true });
  } catch {
    // A read-only install still works: it just makes the template again next time.
  }
}
