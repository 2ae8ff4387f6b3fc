import { readFileSync } from "node:fs";

/**
 * Summarises a `node --cpu-prof` profile: self time by function and by package, so the
 * findings in docs/performance.md can be rerun. Usage: tsx src/profile-summary.ts <file> [top]
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: tsx src/profile-summary.ts <file.cpuprofile> [top]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
};
const top = Number(topArg ?? 30);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function group(url: string): string {
  if (!url) return "(native / v8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node core";
  const m = /\/(packages|apps)\/([^/]+)\//.exec(url);
  return m ? `@stockroom/${m[2]}` : url;
}

const byFn = new Map<string, number>();
const byPkg = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (us === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(packages|apps)\//, "$1/");
  const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const pkg = group(url);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
}

// Inclusive time (self + callees) per function, to see which layer a request's time sits under.
const children = new Map(profile.nodes.map((n) => [n.id, n.children ?? []]));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const inclusive = new Map<number, number>();
const incl = (id: number): number => {
  const cached = inclusive.get(id);
  if (cached !== undefined) return cached;
  let us = selfUs.get(id) ?? 0;
  for (const c of children.get(id) ?? []) us += incl(c);
  inclusive.set(id, us);
  return us;
};
const byFnIncl = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url || url.startsWith("node:")) continue;
  const short = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(packages|apps)\//, "$1/");
  const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
  // Count each function once per stack: skip nodes whose ancestor is the same function.
  byFnIncl.set(key, Math.max(byFnIncl.get(key) ?? 0, 0) + incl(node.id));
}
void byId;

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const print = (title: string, map: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(`${pct(us)}  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s of samples\n`);
print("self time by package", byPkg, 25);
print("self time by function", byFn, top);
if (process.argv.includes("--inclusive"))
  print("inclusive time by function (recursion counted twice)", byFnIncl, top);
