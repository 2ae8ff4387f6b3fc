import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TARGETS } from "../scenarios.js";

// k6 hands scripts their environment as the global __ENV.
(globalThis as { __ENV?: Record<string, string> }).__ENV = {};

const dir = fileURLToPath(new URL("../k6/", import.meta.url));
const SCRIPTS = ["smoke", "read-heavy", "transfer-heavy", "mixed", "ramp"];

type Options = {
  thresholds: Record<string, string[]>;
  scenarios?: Record<string, { executor: string; stages?: Array<{ duration: string; target: number }> }>;
};
const load = async (name: string) =>
  (await import(`../k6/${name}.js`)) as { options: Options; default: unknown };

describe("k6 scripts", () => {
  it.each(SCRIPTS)("%s parses as an ES module", (name) => {
    const r = spawnSync(process.execPath, ["--check", `${dir}${name}.js`], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("fail on any error and on the issue's latency targets", async () => {
    const read = (await load("read-heavy")).options.thresholds;
    expect(read.http_req_failed).toEqual(["rate<=0"]);
    expect(read["http_req_duration{kind:read}"]).toContain(`p(99)<${TARGETS.read.p99Ms}`);
    expect(TARGETS.read.p99Ms).toBe(50);
    const transfer = (await load("transfer-heavy")).options.thresholds;
    expect(transfer.http_req_failed).toEqual(["rate<=0"]);
    expect(transfer["http_req_duration{kind:write}"]).toContain(`p(99)<${TARGETS.write.p99Ms}`);
    const mixed = (await load("mixed")).options.thresholds;
    expect(Object.keys(mixed)).toEqual(
      expect.arrayContaining(["http_req_duration{kind:read}", "http_req_duration{kind:write}"]),
    );
    const ramp = (await load("ramp")).options;
    expect(ramp.thresholds["http_req_duration{kind:read}"]).toContain("p(99)<1000");
    expect(ramp.thresholds["http_req_duration{kind:write}"]).toContain("p(99)<1000");
    expect(ramp.thresholds.http_req_failed).toEqual(["rate<=0"]);
  });

  it("ramp to 500 users at 10 to 100 new users per second", async () => {
    const stages = (await load("ramp")).options.scenarios!.ramp!.stages!;
    expect(Math.max(...stages.map((s) => s.target))).toBe(500);
    let vus = 0;
    for (const s of stages) {
      const rate = (s.target - vus) / Number.parseInt(s.duration, 10);
      if (rate > 0) {
        expect(rate).toBeGreaterThanOrEqual(10);
        expect(rate).toBeLessThanOrEqual(100);
      }
      vus = s.target;
    }
  });
});
