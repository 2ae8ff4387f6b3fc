import { readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { BackupError } from "./errors";
import { type BackupEntry, isGood, listBackups, removeBackup } from "./files";

export interface RetentionPolicy {
  /** Keep the N newest good backups. */
  keep?: number;
  /** Keep every backup younger than D days. */
  keepDays?: number;
}

export interface RetentionResult {
  kept: BackupEntry[];
  deleted: BackupEntry[];
  /** Leftovers of interrupted backups (older than a day) that were removed. */
  staleTemporaries?: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function validatePolicy(policy: RetentionPolicy): void {
  if (policy.keep !== undefined && (!Number.isInteger(policy.keep) || policy.keep < 1))
    throw new BackupError("BAD_OPTION", `--keep must be a whole number of at least 1 (got ${policy.keep})`);
  if (policy.keepDays !== undefined && (!Number.isFinite(policy.keepDays) || policy.keepDays <= 0))
    throw new BackupError("BAD_OPTION", `--keep-days must be a positive number (got ${policy.keepDays})`);
}

/**
 * Which backups a policy keeps. A backup is kept when ANY rule keeps it: among the `keep`
 * newest good ones, younger than `keepDays`, or the newest good backup (always, whatever
 * the policy, so retention can never leave you without a usable backup). Damaged backups
 * (checksum missing or wrong) never count towards `keep`. Backups set aside as .failed are
 * left alone for inspection. With no rule, nothing is deleted.
 */
export function planRetention(entries: BackupEntry[], policy: RetentionPolicy): RetentionResult {
  validatePolicy(policy);
  if (policy.keep === undefined && policy.keepDays === undefined) return { kept: entries, deleted: [] };
  const newestFirst = [...entries].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const good = newestFirst.filter(isGood);
  const keep = new Set<BackupEntry>();
  if (good[0]) keep.add(good[0]);
  if (policy.keep !== undefined) for (const e of good.slice(0, policy.keep)) keep.add(e);
  if (policy.keepDays !== undefined)
    for (const e of newestFirst) if (e.ageMs < policy.keepDays * DAY_MS) keep.add(e);
  for (const e of newestFirst) if (e.failedVerification) keep.add(e);
  return {
    kept: newestFirst.filter((e) => keep.has(e)),
    deleted: newestFirst.filter((e) => !keep.has(e)),
  };
}

/** Applies a retention policy to the backups in DIR. */
export async function applyRetention(
  dir: string,
  policy: RetentionPolicy,
  options: { now?: Date; dryRun?: boolean } = {},
): Promise<RetentionResult> {
  validatePolicy(policy);
  const plan = planRetention(await listBackups(dir, { now: options.now }), policy);
  if (options.dryRun) return plan;
  for (const e of plan.deleted) await removeBackup(e.path);
  return { ...plan, staleTemporaries: await removeStaleTemporaries(dir, options.now ?? new Date()) };
}

async function removeStaleTemporaries(dir: string, now: Date): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^\.inventory_backup_.*\.(partial|tmp)$/.test(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && now.getTime() - info.mtimeMs > DAY_MS) {
      await unlink(path).catch(() => {});
      removed.push(name);
    }
  }
  return removed;
}
