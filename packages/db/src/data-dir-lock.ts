import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";

/**
 * One process per PGlite data directory. PGlite itself does nothing to stop two processes
 * opening the same directory, and two writers corrupt it. The holder writes its pid into
 * `stockroom.lock` inside the directory (created with O_EXCL, so only one process wins).
 * A lock whose pid is gone (kill -9, power cut) is taken over. On a shared volume the pid
 * of another host cannot be checked, so the holder touches the file every few seconds and
 * a lock left untouched for LOCK_STALE_MS counts as abandoned.
 */
export const LOCK_FILE = "stockroom.lock";
const HEARTBEAT_MS = 10_000;
const LOCK_STALE_MS = 60_000;

export interface LockInfo {
  pid: number;
  host: string;
  /** What holds it: "server", "db backup", … */
  purpose: string;
  since: string;
  /** Linux: the holder's start time (clock ticks since boot), so a reused pid is not mistaken for it. */
  started?: number;
}

export class DataDirInUseError extends Error {
  readonly code = "DATA_DIR_IN_USE";
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo | null,
  ) {
    const who = holder
      ? `PID ${holder.pid}${holder.host !== hostname() ? ` on host ${holder.host}` : ""} (${holder.purpose}, since ${holder.since})`
      : "another process";
    super(
      `The data directory ${dataDir} is in use by ${who}. PGlite allows one process per data directory: ` +
        "stop that process first, or use another STOCKROOM_DATA_DIR.",
    );
    this.name = "DataDirInUseError";
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

// Shared through globalThis so that two copies of this module in one process (test
// runners load packages more than once) still see each other's locks.
const registry = globalThis as { __stockroomDataDirLocks?: Set<string> };
registry.__stockroomDataDirLocks ??= new Set();
const held = registry.__stockroomDataDirLocks;

/** Takes the lock of `dataDir` (which must exist) or throws DataDirInUseError. */
export function lockDataDir(dataDir: string, purpose: string): DataDirLock {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK_FILE);
  if (held.has(file)) throw new DataDirInUseError(dir, readLock(file) ?? null);
  const mine: LockInfo = {
    pid: process.pid,
    host: hostname(),
    purpose,
    since: new Date().toISOString(),
    started: processStart(process.pid),
  };
  const content = `${JSON.stringify(mine)}\n`;

  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, content)) break;
    const raw = readRaw(file);
    const holder = raw === null ? null : parseLock(raw);
    if (attempt >= 50) throw new DataDirInUseError(dir, holder ?? null);
    if (raw === null) continue;
    // Unparsable and fresh: its writer is between open and write. Give it a moment.
    if (!holder && !isOlderThan(file, 2000) && attempt < 40) {
      sleepSync(25);
      continue;
    }
    if (holder && isAlive(holder, file)) throw new DataDirInUseError(dir, holder);
    takeOver(file, raw);
  }

  held.add(file);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {}
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    held.delete(file);
    process.off("exit", release);
    // Only our own lock: after a takeover by someone else the file is theirs.
    const current = readLock(file);
    if (current?.pid === process.pid && current.since === mine.since) {
      try {
        unlinkSync(file);
      } catch {}
    }
  };
  // A process that exits without closing its database (process.exit) still frees the dir.
  process.on("exit", release);
  return { file, release };
}

/** The current holder: null when there is no lock, undefined when the file is not a lock. */
export function readLock(file: string): LockInfo | null | undefined {
  const raw = readRaw(file);
  return raw === null ? null : parseLock(raw);
}

function readRaw(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const info = JSON.parse(raw) as LockInfo;
    return Number.isInteger(info?.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function isAlive(holder: LockInfo, file: string): boolean {
  if (holder.host !== hostname()) return !isAbandoned(file);
  // Our own pid in a lock this process does not hold: a previous life of this pid (a
  // container's pid 1 after a restart). Taken over.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(holder.pid);
  if (!stat) return true;
  // A zombie has exited; another start time means the pid now belongs to another process.
  if (stat.state === "Z") return false;
  return holder.started === undefined || holder.started === stat.started;
}

/** Fields of /proc/<pid>/stat (Linux); undefined elsewhere. */
function procStat(pid: number): { state: string; started: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after its end.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", started: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

const processStart = (pid: number) => procStat(pid)?.started;

function isAbandoned(file: string): boolean {
  return isOlderThan(file, LOCK_STALE_MS);
}

function isOlderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return true;
  }
}

/**
 * Removes a dead holder's lock. Two processes may judge the same lock dead at once: each
 * renames it to a name of its own first, so only one of them removes it. One that finds
 * it moved something else (the winner's new lock) puts that back.
 */
function takeOver(file: string, judged: string) {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    const moved = readFileSync(aside, "utf8");
    if (moved !== judged) tryCreate(file, moved);
  } finally {
    unlinkSync(aside);
  }
}

function sleepSync(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
