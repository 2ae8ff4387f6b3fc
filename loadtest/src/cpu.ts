import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** utime + stime of one process, in ms; 0 when it is gone or /proc is missing. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, "utf8");
          return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/**
 * CPU time used by a process and its children (cluster workers), per PID, so a run's share
 * can be computed from two samples even on a machine busy with other work (Linux only).
 */
export function sampleCpu(pids: number[], withChildren = true): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    out.set(pid, cpuMsOf(pid));
    if (withChildren) for (const child of childrenOf(pid)) out.set(child, cpuMsOf(child));
  }
  return out;
}

/** CPU ms spent between two samples, over the PIDs seen in both. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start !== undefined) ms += end - start;
  }
  return ms;
}
