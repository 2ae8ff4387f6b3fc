import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { colorEnabled, createOutput, stripAnsi } from "./output";
import { createProgress } from "./progress";

function sink(isTTY = false) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY, columns: 80 },
  );
  return { stream, text: () => chunks.join("") };
}

describe("colour", () => {
  it("is on for a terminal only, off with NO_COLOR or TERM=dumb, forced by FORCE_COLOR", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "yes please" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });
});

describe("output", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("prints aligned tables for people and nothing but JSON in --json mode", () => {
    const rows = [
      { sku: "A-1", qty: 5 },
      { sku: "LONGER-SKU", qty: 120 },
    ];
    const cols = [
      { header: "sku", value: (r: (typeof rows)[number]) => r.sku },
      { header: "qty", value: (r: (typeof rows)[number]) => r.qty, align: "right" as const },
    ];
    vi.stubEnv("NO_COLOR", "1");
    const human = { stdout: sink(), stderr: sink() };
    const out = createOutput({ json: false }, { stdout: human.stdout.stream, stderr: human.stderr.stream });
    out.table(rows, cols);
    expect(human.stdout.text()).toBe("SKU         QTY\nA-1           5\nLONGER-SKU  120\n");

    const machine = { stdout: sink(), stderr: sink() };
    const jsonOut = createOutput(
      { json: true },
      { stdout: machine.stdout.stream, stderr: machine.stderr.stream },
    );
    jsonOut.table(rows, cols);
    jsonOut.line("ignored");
    jsonOut.result(rows, () => jsonOut.line("not this"));
    expect(JSON.parse(machine.stdout.text())).toEqual(rows);
  });
});

describe("progress", () => {
  it("draws on a terminal and stays silent without one or in --json mode", () => {
    const tty = sink(true);
    const bar = createProgress({ total: 200, label: "Importing" }, tty.stream);
    bar.update(100);
    bar.done();
    bar.done();
    const drawn = stripAnsi(tty.text());
    expect(drawn).toContain("Importing ");
    expect(drawn).toMatch(/100\/200 rows 50%/);
    expect(drawn.endsWith("\n")).toBe(true);

    for (const [stream, quiet] of [
      [sink(false), false],
      [sink(true), true],
    ] as const) {
      const silent = createProgress({ total: 200, label: "Importing", quiet }, stream.stream);
      silent.update(100);
      silent.done();
      expect(stream.text()).toBe("");
    }
  });
});
