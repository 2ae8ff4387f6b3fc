import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, runCli } from "./helpers";

// The README's CLI commands, as a newcomer copies them. They are not run here (backup
// retention would delete files in ./backups): each command and flag must exist, and each
// must be typed the way that works in a checkout (`pnpm stockroom …`; bare `stockroom` is
// not on the PATH outside the Docker image).
const ROOT = join(BIN, "../../../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const shellLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter(Boolean),
);
const cliLines = shellLines.filter((l) => /(^|\s)stockroom\s/.test(l) && !l.startsWith("docker "));
const invocations = cliLines.map((line) => {
  const args = line.replace(/^pnpm (--silent )?stockroom\s+/, "").split(/\s+/);
  const words = args.filter((a) => /^[a-z]+$/.test(a)).slice(0, 2);
  return { line, words, flags: args.filter((a) => a.startsWith("--")).map((a) => a.split("=")[0]!) };
});

describe("README CLI commands", () => {
  it("are typed as pnpm stockroom …, which works in a checkout", () => {
    expect(cliLines.length).toBeGreaterThan(3);
    for (const line of cliLines) expect(line, line).toMatch(/^pnpm (--silent )?stockroom /);
  });

  it("name commands and flags that exist", async () => {
    const byCommand = new Map<string, Set<string>>();
    for (const { words, flags } of invocations) {
      const key = words.join(" ");
      byCommand.set(key, new Set([...(byCommand.get(key) ?? []), ...flags]));
    }
    for (const [command, flags] of byCommand) {
      const help = await runCli([...command.split(" "), "--help"]);
      expect(help.code, `stockroom ${command} --help`).toBe(0);
      for (const flag of flags) expect(help.stdout, `stockroom ${command} ${flag}`).toContain(flag);
    }
  }, 120_000);
});
