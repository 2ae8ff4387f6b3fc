import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { lockDataDir } from "./data-dir-lock";
import { PGLITE_EXTENSIONS, PGLITE_SETTINGS, pgliteTemplate, type TemplateKind } from "./pglite-template";

export interface OpenPgliteOptions {
  /** What a new (empty) directory starts as. */
  template: TemplateKind;
  migrationsFolder: string;
  /** Recorded in the lock file and shown to a second process that is refused. */
  purpose: string;
}

/**
 * Opens a PGlite database: a directory (locked for this process, created from a template
 * when new) or "memory://" (created from a template). close() also frees the lock.
 */
export async function openPglite(dataDir: string, options: OpenPgliteOptions): Promise<PGlite> {
  if (dataDir.includes("://")) {
    if (!dataDir.startsWith("memory://")) return PGlite.create(dataDir, { extensions: PGLITE_EXTENSIONS });
    return PGlite.create(dataDir, {
      extensions: PGLITE_EXTENSIONS,
      loadDataDir: await pgliteTemplate(options.template, options.migrationsFolder),
    });
  }
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(dataDir, options.purpose);
  let db: PGlite;
  try {
    const isNew = !existsSync(join(dataDir, "PG_VERSION"));
    if (!isNew) applySettings(dataDir);
    db = await PGlite.create(dataDir, {
      extensions: PGLITE_EXTENSIONS,
      ...(isNew ? { loadDataDir: await pgliteTemplate(options.template, options.migrationsFolder) } : {}),
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = db.close.bind(db);
  db.close = async () => {
    try {
      await close();
    } finally {
      lock.release();
    }
  };
  return db;
}

/**
 * Directories made before the templates carried our settings get them in
 * postgresql.auto.conf (what ALTER SYSTEM writes), unless the owner set them already.
 */
function applySettings(dataDir: string) {
  const file = join(dataDir, "postgresql.auto.conf");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return;
  }
  const missing = Object.entries(PGLITE_SETTINGS).filter(
    ([name]) => !new RegExp(`^\\s*${name}\\s*=`, "m").test(text),
  );
  if (missing.length === 0) return;
  const lines = missing.map(([name, value]) => `${name} = '${value}'`).join("\n");
  writeFileSync(file, `${text}${text.endsWith("\n") || text === "" ? "" : "\n"}${lines}\n`);
}
