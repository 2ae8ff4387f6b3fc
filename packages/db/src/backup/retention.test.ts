import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupError } from "./errors";
import { backupFileName, listBackups, parseBackupFileName } from "./files";
import { applyRetention } from "./retention";

const NOW = new Date("2026-03-15T12:00:00Z");
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "stockroom-retention-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A backup file d days old; "bad" gets a wrong checksum, "nosum" none at all. */
async function make(d: number, state: "good" | "bad" | "nosum" | "failed" = "good"): Promise<string> {
  let name = backupFileName(daysAgo(d));
  const content = `backup ${d}`;
  const sum = createHash("sha256").update(content).digest("hex");
  if (state === "failed") name += ".failed";
  await writeFile(join(dir, name), content);
  if (state !== "nosum")
    await writeFile(join(dir, `${name}.sha256`), `${state === "bad" ? "0".repeat(64) : sum}  ${name}\n`);
  return name;
}

const remaining = async () =>
  (await readdir(dir))
    .filter((n) => !n.endsWith(".sha256"))
    .sort()
    .reverse();

describe("backup file names", () => {
  it("are UTC timestamps that round-trip", () => {
    const at = new Date("2026-01-02T03:04:05.999Z");
    expect(backupFileName(at)).toBe("inventory_backup_20260102_030405.sql.gz");
    expect(parseBackupFileName("/x/inventory_backup_20260102_030405.sql.gz")).toEqual(
      new Date("2026-01-02T03:04:05Z"),
    );
    expect(parseBackupFileName("inventory_backup_20260102_030405.sql")).toBeNull();
    expect(parseBackupFileName("other_20260102_030405.sql.gz")).toBeNull();
  });
});

describe("retention", () => {
  it("--keep N keeps the N newest good backups and deletes the rest with their checksums", async () => {
    const names = [];
    for (const d of [0, 1, 2, 3, 4]) names.push(await make(d));
    const result = await applyRetention(dir, { keep: 2 }, { now: NOW });
    expect(result.deleted.map((e) => e.name)).toEqual(names.slice(2));
    expect(await remaining()).toEqual(names.slice(0, 2));
    expect((await readdir(dir)).filter((n) => n.endsWith(".sha256"))).toHaveLength(2);
  });

  it("--keep-days D keeps what is younger than D days", async () => {
    const names = [];
    for (const d of [0.5, 2.5, 6.9, 7.1, 30]) names.push(await make(d));
    await applyRetention(dir, { keepDays: 7 }, { now: NOW });
    expect(await remaining()).toEqual(names.slice(0, 3));
  });

  it("keeps a backup when any rule keeps it", async () => {
    const names = [];
    for (const d of [1, 2, 3, 10, 20]) names.push(await make(d));
    await applyRetention(dir, { keep: 4, keepDays: 2.5 }, { now: NOW });
    expect(await remaining()).toEqual(names.slice(0, 4));
  });

  it("never deletes the newest good backup, even when every backup is past --keep-days", async () => {
    const names = [];
    for (const d of [40, 50, 60]) names.push(await make(d));
    await applyRetention(dir, { keepDays: 7 }, { now: NOW });
    expect(await remaining()).toEqual([names[0]]);
  });

  it("does not count damaged backups towards --keep, so a run of bad dumps cannot push out the last good one", async () => {
    const bad1 = await make(0, "bad");
    const bad2 = await make(1, "nosum");
    const good1 = await make(2);
    await make(3);
    const result = await applyRetention(dir, { keep: 1 }, { now: NOW });
    expect(await remaining()).toEqual([good1]);
    expect(result.deleted.map((e) => e.name)).toEqual(expect.arrayContaining([bad1, bad2]));
  });

  it("leaves backups set aside as .failed for inspection", async () => {
    const failed = await make(0, "failed");
    const good = await make(1);
    await make(2);
    await applyRetention(dir, { keep: 1 }, { now: NOW });
    expect(await remaining()).toEqual([failed, good]);
  });

  it("deletes nothing without a rule, and rejects nonsense", async () => {
    for (const d of [1, 2, 3]) await make(d);
    await applyRetention(dir, {}, { now: NOW });
    expect(await remaining()).toHaveLength(3);
    await expect(applyRetention(dir, { keep: 0 })).rejects.toBeInstanceOf(BackupError);
    await expect(applyRetention(dir, { keepDays: -1 })).rejects.toBeInstanceOf(BackupError);
  });

  it("lists backups newest first with size, age and checksum status", async () => {
    await make(1);
    await make(2, "bad");
    await make(3, "nosum");
    await writeFile(join(dir, "notes.txt"), "not a backup");
    const list = await listBackups(dir, { now: NOW });
    expect(list.map((e) => [e.checksum, Math.round(e.ageMs / DAY)])).toEqual([
      ["ok", 1],
      ["mismatch", 2],
      ["missing", 3],
    ]);
    expect(list[0]!.size).toBe("backup 1".length);
  });
});
