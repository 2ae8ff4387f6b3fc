import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./child-server";
import { type CodeBlock, codeBlocks, REPO_ROOT } from "./markdown";

/**
 * The shell blocks of README.md, docs/*.md and the packages' READMEs, run as written, one
 * bash per block, from a sandbox that looks like a fresh checkout (its own directory holding
 * links to this checkout's packages, scripts and node_modules, so ./data, ./backups and the
 * CSV files land there), against a server started the README's way (`pnpm start`, first
 * start on an empty data directory, the admin key read from what it prints). Two
 * substitutions, nothing else: `http://localhost:8000` becomes the sandbox server's address
 * and the placeholder key `sk_live_...` the key it printed. In a `console` block the
 * commands are the `$ ` lines. What a block exports stays set for the later blocks of the
 * same file, as in the terminal of someone reading it top to bottom.
 * A block that cannot run here says why, in an HTML comment just before it:
 * `<!-- not-run: reason -->`. A block that shows an error on purpose names its code:
 * `<!-- expect-fail: CODE -->` (codes separated by commas); each of its failing commands
 * must have printed one of those codes, and each code must appear. Blocks that use
 * `stockroom db` run after the server has stopped (an embedded database has one owner at a
 * time), the others while it serves.
 */
const SHELL = /^(sh|bash|shell|console)$/;
/** Each package's and app's README.md, and loadtest's. */
const packageReadmes = [
  ...(
    await Promise.all(
      ["apps", "packages"].map(async (dir) =>
        (await readdir(join(REPO_ROOT, dir))).map((name) => `${dir}/${name}/README.md`),
      ),
    )
  ).flat(),
  "loadtest/README.md",
].filter((f) => existsSync(join(REPO_ROOT, f)));
const docs = [
  "README.md",
  ...(await readdir(join(REPO_ROOT, "docs"))).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...packageReadmes,
];
const blocks = docs.flatMap((file) => codeBlocks(file)).filter((b) => SHELL.test(b.lang));
const notRun = blocks.filter((b) => b.note?.startsWith("not-run:"));
const EXPECT_FAIL = /^expect-fail:\s*([A-Z_]+(?:\s*,\s*[A-Z_]+)*)\s*$/;
/** The codes a block's `<!-- expect-fail: CODE, … -->` names, else none. */
const expectedFailures = (b: CodeBlock) => {
  const codes = EXPECT_FAIL.exec(b.note ?? "")?.[1];
  return codes ? codes.split(",").map((c) => c.trim()) : [];
};
const runnable = blocks.filter((b) => !notRun.includes(b));
const needsStoppedServer = (b: CodeBlock) => /stockroom db /.test(b.code);
const name = (b: CodeBlock) => `${b.file}:${b.line}`;

/** What the blocks create in the directory they run in. */
const WRITTEN_BY_THE_DOCS = new Set([
  "data",
  "backups",
  "restored-data",
  "catalog.csv",
  "catalogue.csv",
  "dock.csv",
]);

let sandbox: string;
/** One file per doc: what its blocks exported so far (`export -p`). */
let sessions: string;
let server: ChildProcess | undefined;
let serverExited: Promise<void>;
let origin: string;
let key: string;
let serverOutput = "";

/** The PATH a newcomer's shell has: without the node_modules/.bin folders the test runner added. */
const PATH = (process.env.PATH ?? "/usr/bin:/bin")
  .split(delimiter)
  .filter((p) => !p.includes("node_modules"))
  .join(delimiter);
const shellEnv = () => ({
  PATH,
  // pnpm checks before a script that node_modules was installed for this directory: for the
  // sandbox (another path) it would run `pnpm install` again. This checkout is installed.
  pnpm_config_verify_deps_before_run: "false",
  HOME: process.env.HOME ?? "/tmp",
  ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
});

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  // pnpm runs node under it: the signal goes to the whole process group.
  process.kill(-server.pid!, "SIGTERM");
  await serverExited;
}

beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), "stockroom-docs-"));
  sessions = await mkdtemp(join(tmpdir(), "stockroom-docs-env-"));
  // Everything but what the blocks write, so pnpm sees this checkout's workspace, lockfile
  // and node_modules (a partial view makes pnpm reinstall into the linked node_modules).
  for (const entry of await readdir(REPO_ROOT)) {
    if (WRITTEN_BY_THE_DOCS.has(entry) || entry === ".git") continue;
    await symlink(join(REPO_ROOT, entry), join(sandbox, entry));
  }
  const port = await freePort();
  server = spawn("pnpm", ["start"], {
    cwd: sandbox,
    env: { ...shellEnv(), PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const child = server;
  serverExited = new Promise((resolve) => child.once("exit", () => resolve()));
  child.stdout!.on("data", (d) => {
    serverOutput += d;
  });
  child.stderr!.on("data", (d) => {
    serverOutput += d;
  });
  const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm start did not start:\n${serverOutput}`)), 90_000);
    const onData = () => {
      const m = /listening on (http:\S+)[\s\S]*shown only this once:\s+(\S+)/.exec(serverOutput);
      if (!m) return;
      clearTimeout(timer);
      resolve(m);
    };
    child.stdout!.on("data", onData);
    void serverExited.then(() => {
      clearTimeout(timer);
      reject(new Error(`pnpm start exited before serving:\n${serverOutput}`));
    });
  });
  origin = banner[1]!;
  key = banner[2]!;
}, 120_000);

afterAll(async () => {
  await stopServer();
  if (sandbox) await rm(sandbox, { recursive: true, force: true });
  if (sessions) await rm(sessions, { recursive: true, force: true });
});

/** The block as bash runs it: its commands, with the two substitutions. */
function script(b: CodeBlock): string {
  const commands =
    b.lang === "console"
      ? b.code
          .split("\n")
          .filter((l) => l.startsWith("$ "))
          .map((l) => l.slice(2))
          .join("\n")
      : b.code;
  return commands.replaceAll("http://localhost:8000", origin).replaceAll("sk_live_...", key);
}

/**
 * stderr without the failures the block shows on purpose: each `FAILED(…)` report, with what
 * the failing command printed before it (pnpm's ELIFECYCLE line), goes when that output
 * names one of the block's expect-fail codes (`error CODE: …`). What stays is unexpected.
 */
function withoutExpectedFailures(stderr: string, expected: string[]): string {
  if (expected.length === 0) return stderr;
  const segments = stderr.split(/(?<=^FAILED\(.*\n)/m);
  return segments
    .map((segment) => {
      if (!/^FAILED\(/m.test(segment)) return segment;
      const code = /^error ([A-Z_]+):/m.exec(segment)?.[1];
      if (!code || !expected.includes(code)) return segment;
      return segment.replace(/^FAILED\(.*$\n?/m, "").replace(/^.*ELIFECYCLE.*$\n?/m, "");
    })
    .join("");
}

async function runBlock(b: CodeBlock) {
  // Every failing command is reported (ERR), pipelines fail when any part fails. The block
  // starts with what the earlier blocks of its file exported, and leaves what it exports.
  const session = join(sessions, b.file.replaceAll("/", "__"));
  const text = [
    "set -o pipefail",
    `trap 'echo "FAILED($?) at line $LINENO: $BASH_COMMAND" >&2' ERR`,
    `trap "export -p > '${session}'" EXIT`,
    `[ ! -f '${session}' ] || . '${session}'`,
    script(b),
  ].join("\n");
  const result = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
    execFile(
      "bash",
      ["-c", text],
      { cwd: sandbox, env: shellEnv(), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ stdout, stderr: `${stderr}${err?.killed ? "\nkilled: over 60 s" : ""}` }),
    ),
  );
  const report = `${name(b)}\n--- script\n${text}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  const expected = expectedFailures(b);
  const stderr = withoutExpectedFailures(result.stderr, expected);
  expect(stderr, report).not.toMatch(/FAILED\(|killed:/);
  // A command that failed inside a && list (ERR is not raised there): a crash, or pnpm's report.
  expect(stderr, report).not.toMatch(/^\s+at .+:\d+:\d+\)?$|ELIFECYCLE|ERR_PNPM/m);
  expect(result.stdout, `${report}\npnpm installed before running a script`).not.toMatch(/postinstall\$/);
  // A problem the server answered, or an error the CLI printed, is one the block shows on purpose.
  const codes = [
    ...result.stdout.matchAll(/"code":"([A-Z_]+)"/g),
    ...result.stderr.matchAll(/^error ([A-Z_]+):/gm),
  ].map((m) => m[1]!);
  for (const code of codes) expect(b.code, `${code} in the output of ${report}`).toContain(code);
  for (const code of expected) expect(codes, `expect-fail ${code} in ${report}`).toContain(code);
  // `jq -r` of something missing.
  expect(result.stdout.split("\n"), report).not.toContain("null");
}

describe("shell blocks of README.md and docs/", () => {
  it("are run here, or say why not", () => {
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    for (const b of notRun)
      expect(b.note!.replace("not-run:", "").trim().length, name(b)).toBeGreaterThan(10);
    for (const b of blocks.filter((x) => x.note && !notRun.includes(x) && !expectedFailures(x).length)) {
      expect(b.note, `${name(b)}: an unknown note before a shell block`).toBe(null);
    }
  });

  for (const b of runnable.filter((x) => !needsStoppedServer(x))) {
    it(`${name(b)} runs against the server`, () => runBlock(b), 90_000);
  }

  it("the server stops when asked", async () => {
    await stopServer();
    expect(serverOutput).not.toMatch(/"level":(50|60)/);
    expect(serverOutput, "pnpm start installed first").not.toMatch(/postinstall\$/);
  }, 30_000);

  for (const b of runnable.filter(needsStoppedServer)) {
    it(`${name(b)} runs on the stopped server's data directory`, () => runBlock(b), 90_000);
  }
});
