import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export interface DrawnRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface LoadOptions {
  url: string;
  apiKey: string;
  connections: number;
  durationSec: number;
  /** Draws the next request of the scenario. */
  next: () => DrawnRequest;
}

export interface LoadResult {
  driver: "wrk" | "autocannon";
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connect/read/write errors and timeouts: requests that got no HTTP answer. */
  socketErrors: number;
  non2xx: number;
  status4xx: number;
  status5xx: number;
}

export const wrkAvailable = () => spawnSync("wrk", ["--version"]).error === undefined;

// Each wrk thread reads the request list, formats every request once, then walks the
// (already random) list from a random start. response() counts 4xx/5xx per thread;
// done() adds them up and prints one JSON line for the runner.
const WRK_LUA = `
local reqs = {}
local threads = {}
s4 = 0
s5 = 0
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  local key = args[2]
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\\t([^\\t]+)\\t?(.*)$")
    local headers = { ["Authorization"] = "Bearer " .. key }
    if body == "" then body = nil else headers["Content-Type"] = "application/json" end
    reqs[#reqs + 1] = wrk.format(method, path, headers, body)
  end
  math.randomseed(os.time() * 1000 + tid)
  idx = math.random(#reqs)
end
function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end
function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1 end
end
function done(summary, latency, requests)
  local a, b = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("s4"); b = b + t:get("s5") end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"s4":%d,"s5":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, a, b))
end
`;

export async function runWrk(options: LoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "stockroom-wrk-"));
  try {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = options.next();
      lines.push(`${r.method}\t${r.path}\t${r.body === undefined ? "" : JSON.stringify(r.body)}`);
    }
    writeFileSync(join(dir, "requests.tsv"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "script.lua"), WRK_LUA);
    const args = [
      "-t",
      String(Math.min(2, options.connections)),
      "-c",
      String(options.connections),
      "-d",
      `${options.durationSec}s`,
      "--timeout",
      "10s",
      "-s",
      join(dir, "script.lua"),
      options.url,
      "--",
      join(dir, "requests.tsv"),
      options.apiKey,
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile("wrk", args, { maxBuffer: 1 << 20 }, (err, out, errOut) =>
        err ? reject(new Error(`wrk failed: ${err.message}\n${errOut}`)) : resolve(out),
      );
    });
    const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const j = JSON.parse(line.slice("WRK_JSON ".length));
    const seconds = j.durationUs / 1e6;
    return {
      driver: "wrk",
      requests: j.requests,
      rps: j.requests / seconds,
      p50Ms: j.p50 / 1000,
      p90Ms: j.p90 / 1000,
      p99Ms: j.p99 / 1000,
      maxMs: j.max / 1000,
      socketErrors: j.connect + j.read + j.write + j.timeout,
      non2xx: j.status,
      status4xx: j.s4,
      status5xx: j.s5,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const authorization = `Bearer ${options.apiKey}`;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const r = options.next();
          return {
            ...req,
            method: r.method as "GET",
            path: r.path,
            headers:
              r.body === undefined
                ? { authorization }
                : { authorization, "content-type": "application/json" },
            body: r.body === undefined ? undefined : JSON.stringify(r.body),
          };
        },
      },
    ],
  });
  const r = result as typeof result & { "4xx": number; "5xx": number };
  return {
    driver: "autocannon",
    requests: r.requests.total,
    rps: r.requests.total / (r.duration || options.durationSec),
    p50Ms: r.latency.p50,
    p90Ms: r.latency.p90,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    socketErrors: r.errors,
    non2xx: r.non2xx,
    status4xx: r["4xx"],
    status5xx: r["5xx"],
  };
}

export interface ChainOptions extends Omit<LoadOptions, "next"> {
  /** Draws the first request of a new chain. */
  first: () => DrawnRequest;
  /** The requests after it, each made from the parsed answer of the one before. */
  followUps: Array<(answer: unknown) => DrawnRequest>;
}

export interface StepResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  status5xx: number;
}

export interface ChainResult extends LoadResult {
  /** Chains whose every step answered 2xx, per second. */
  chainsPerSec: number;
  /** One entry per step of the chain, in order. */
  steps: StepResult[];
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Requests that depend on each other (a reservation, then its commit): each connection loops
 * over the chain, a step built from the answer of the step before, through autocannon's
 * chained requests (`requests` with a per-connection context). A step that does not answer
 * 2xx ends its chain; the connection starts a new one. wrk's pre-drawn request lists cannot
 * do this. Latencies are kept per step.
 */
export async function runChained(options: ChainOptions): Promise<ChainResult> {
  const authorization = `Bearer ${options.apiKey}`;
  type Context = { answer?: unknown };
  const build = (req: object, r: DrawnRequest) => ({
    ...req,
    method: r.method as "GET",
    path: r.path,
    headers: r.body === undefined ? { authorization } : { authorization, "content-type": "application/json" },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  const keep = (status: number, body: string, context: Context) => {
    context.answer = status >= 200 && status < 300 ? JSON.parse(body) : undefined;
  };
  const stepCount = options.followUps.length + 1;
  const latencies: number[][] = Array.from({ length: stepCount }, () => []);
  const non2xx = new Array<number>(stepCount).fill(0);
  const status5xx = new Array<number>(stepCount).fill(0);
  // Without a callback autocannon answers its tracker, an event emitter that is also a promise.
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSec,
    timeout: 10,
    initialContext: {},
    requests: [
      {
        setupRequest: (req) => build(req, options.first()),
        onResponse: keep,
      },
      ...options.followUps.map((step, k) => ({
        // Falsy ends the chain: autocannon starts the connection's next one.
        setupRequest: (req: object, context: Context) =>
          context.answer === undefined ? (null as never) : build(req, step(context.answer)),
        onResponse: k === options.followUps.length - 1 ? undefined : keep,
      })),
    ],
  }) as unknown as PromiseLike<autocannon.Result> & {
    on(
      event: "response",
      listener: (client: unknown, status: number, bytes: number, ms: number) => void,
    ): void;
  };
  // Emitted before the connection moves on, so its iterator still points at the step answered.
  instance.on("response", (client, status, _bytes, ms) => {
    const step = (client as unknown as { requestIterator: { currentRequestIndex: number } }).requestIterator
      .currentRequestIndex;
    latencies[step]!.push(ms);
    if (status < 200 || status >= 300) non2xx[step]!++;
    if (status >= 500) status5xx[step]!++;
  });
  const result = (await instance) as autocannon.Result & { "4xx": number; "5xx": number };
  const seconds = result.duration || options.durationSec;
  const steps = latencies.map((l, k): StepResult => {
    const sorted = l.sort((a, b) => a - b);
    return {
      requests: l.length,
      rps: l.length / seconds,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      non2xx: non2xx[k]!,
      status5xx: status5xx[k]!,
    };
  });
  const last = steps[stepCount - 1]!;
  return {
    driver: "autocannon",
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    socketErrors: result.errors,
    non2xx: result.non2xx,
    status4xx: result["4xx"],
    status5xx: result["5xx"],
    chainsPerSec: (last.requests - last.non2xx) / seconds,
    steps,
  };
}
