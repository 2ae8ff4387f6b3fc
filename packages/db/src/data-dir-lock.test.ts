import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirInUseError, LOCK_FILE, lockDataDir, readLock } from "./data-dir-lock";

const MODULE = fileURLToPath(new URL("./data-dir-lock.ts", import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stockroom-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Another process that takes the lock and prints what happened: "locked" or the refusal. */
function lockInChild(dataDir: string, hold: boolean) {
  const code = `
    import { lockDataDir } from ${JSON.stringify(MODULE)};
    try {
      lockDataDir(${JSON.stringify(dataDir)}, "child");
      console.log("locked");
      if (${hold}) setInterval(() => {}, 1000); else process.exit(0);
    } catch (err) {
      console.log("refused: " + err.message);
      process.exit(3);
    }`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  const printed = new Promise<string>((resolve) => {
    const check = () => out.includes("\n") && resolve(out.trim());
    child.stdout.on("data", check);
    void exited.then(() => resolve(out.trim()));
  });
  return { child, printed, exited };
}

const kill = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

describe("data directory lock", () => {
  it("is held once per process and freed by release", () => {
    const lock = lockDataDir(dir, "test");
    expect(readLock(join(dir, LOCK_FILE))).toMatchObject({ pid: process.pid, purpose: "test" });
    expect(() => lockDataDir(dir, "again")).toThrow(DataDirInUseError);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir, "after release").release();
  });

  it("refuses a second process, naming the directory and the holder's pid", async () => {
    const holder = lockInChild(dir, true);
    try {
      expect(await holder.printed).toBe("locked");
      let refusal: unknown;
      try {
        lockDataDir(dir, "test");
      } catch (err) {
        refusal = err;
      }
      expect(refusal).toBeInstanceOf(DataDirInUseError);
      expect((refusal as Error).message).toContain(`in use by PID ${holder.child.pid}`);
      expect((refusal as Error).message).toContain(dir);
      // The refused attempt left the holder's lock alone.
      expect(readLock(join(dir, LOCK_FILE))?.pid).toBe(holder.child.pid);
    } finally {
      await kill(holder.child);
    }
  });

  it("takes over the lock of a process that was killed", async () => {
    const holder = lockInChild(dir, true);
    expect(await holder.printed).toBe("locked");
    await kill(holder.child);
    expect(readLock(join(dir, LOCK_FILE))?.pid).toBe(holder.child.pid);
    const lock = lockDataDir(dir, "test");
    expect(readLock(join(dir, LOCK_FILE))?.pid).toBe(process.pid);
    lock.release();
  });

  it("lets exactly one of two processes take over a dead lock", async () => {
    const dead = lockInChild(dir, true);
    expect(await dead.printed).toBe("locked");
    await kill(dead.child);
    const a = lockInChild(dir, true);
    const b = lockInChild(dir, true);
    try {
      const results = [await a.printed, await b.printed];
      expect(results.filter((r) => r === "locked")).toHaveLength(1);
      expect(results.find((r) => r !== "locked")).toMatch(/^refused: .* in use by PID \d+/);
      const winner = results[0] === "locked" ? a : b;
      expect(readLock(join(dir, LOCK_FILE))?.pid).toBe(winner.child.pid);
    } finally {
      await kill(a.child);
      await kill(b.child);
    }
  });

  it("judges a lock from another host by its heartbeat", () => {
    const file = join(dir, LOCK_FILE);
    const other = { pid: 1, host: "some-other-host", purpose: "server", since: new Date().toISOString() };
    writeFileSync(file, JSON.stringify(other));
    expect(() => lockDataDir(dir, "test")).toThrow(/in use by PID 1 on host some-other-host/);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(file, old, old);
    const lock = lockDataDir(dir, "test");
    expect(readLock(file)?.pid).toBe(process.pid);
    lock.release();
  });

  it("takes over a lock file that is not a lock at all", () => {
    writeFileSync(join(dir, LOCK_FILE), "garbage");
    // A fresh unparsable file may be a lock being written: only an old one is taken over.
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    const lock = lockDataDir(dir, "test");
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    lock.release();
  });
});
