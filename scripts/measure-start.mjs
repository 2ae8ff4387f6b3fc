#!/usr/bin/env node
// Starts a command, polls GET /health (or --path) until it answers 200, and reports the wall time, the
// CPU time the process tree used until then (steadier than wall time on a shared machine),
// and the peak RSS of the tree (VmHWM of each process, summed), then stops it.
// Usage: node scripts/measure-start.mjs [--port N] [--path /ready] -- <command> [args…]
// A measuring aid for docs/performance.md, not a test.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const opts = argv.slice(0, sep);
const command = argv.slice(sep + 1);
const option = (name) => (opts.includes(name) ? opts[opts.indexOf(name) + 1] : undefined);
const port = Number(option("--port") || 18_000 + Math.floor(Math.random() * 1000));
const path = option("--path") ?? "/health";

const kib = (pid, field) => {
  try {
    const m = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+)`, "m"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

function descendants(root) {
  const children = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {}
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** utime + stime of each live process, plus what its reaped children used: ms. */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {}
  }
  return ticks * 10;
}

const started = performance.now();
const child = spawn(command[0], command.slice(1), {
  env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn" },
  stdio: ["ignore", "pipe", "inherit"],
  // Its own process group, so the stop reaches the server behind a wrapper such as pnpm.
  detached: true,
});
let stdout = "";
child.stdout.on("data", (d) => {
  stdout += d;
});
const peaks = new Map();
let readyMs = null;
let exited = false;
child.on("exit", () => {
  exited = true;
});

const sample = () => {
  let sum = 0;
  for (const pid of descendants(child.pid)) {
    const hwm = Math.max(kib(pid, "VmHWM"), peaks.get(pid) ?? 0);
    peaks.set(pid, hwm);
  }
  for (const v of peaks.values()) sum += v;
  return sum;
};

while (!exited && readyMs === null && performance.now() - started < 120_000) {
  sample();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    if (res.status === 200) readyMs = performance.now() - started;
  } catch {}
  if (readyMs === null) await new Promise((r) => setTimeout(r, 50));
}
const peakKiB = sample();
const cpu = cpuMs(descendants(child.pid));
const serverPeak = Math.max(...peaks.values());
process.kill(-child.pid, "SIGTERM");
await new Promise((r) => (exited ? r() : child.on("exit", r)));
const result = {
  path,
  readyMs: readyMs === null ? null : Math.round(readyMs),
  cpuMs: cpu,
  peakRssMiB: Math.round(peakKiB / 1024),
  largestProcessMiB: Math.round(serverPeak / 1024),
  processes: peaks.size,
  printedKey: /sk_live_/.test(stdout),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
