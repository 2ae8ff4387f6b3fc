import { type ArgsDef, defineCommand, renderUsage, runCommand } from "citty";
import type { AnyCommand } from "./lib/command";
import { reportError } from "./lib/errors";
import { EXIT, type ExitCode, UsageError } from "./lib/exit";
import { colorEnabled, stripAnsi } from "./lib/output";

export const VERSION = "0.1.0";

type Lazy = () => Promise<AnyCommand>;
const load = (p: Promise<{ default: AnyCommand }>) => p.then((m) => m.default);

/** Every command, loaded only when named. */
export const commands: Record<string, Lazy> = {
  products: () => load(import("./commands/products/index.ts")),
  stores: () => load(import("./commands/stores/index.ts")),
  stock: () => load(import("./commands/stock/index.ts")),
  alerts: () => load(import("./commands/alerts.ts")),
  reservations: () => load(import("./commands/reservations/index.ts")),
  shipments: () => load(import("./commands/shipments/index.ts")),
  movements: () => load(import("./commands/movements.ts")),
  audit: () => load(import("./commands/audit.ts")),
  events: () => load(import("./commands/events/index.ts")),
  webhooks: () => load(import("./commands/webhooks/index.ts")),
  keys: () => load(import("./commands/keys/index.ts")),
  db: () => load(import("./commands/db/index.ts")),
};

export const mainCommand = defineCommand({
  meta: { name: "stockroom", version: VERSION, description: "Operate a Stockroom inventory server" },
  subCommands: commands,
});

const resolveValue = async <T>(v: T | Promise<T> | (() => T | Promise<T>)): Promise<T> =>
  typeof v === "function" ? await (v as () => T | Promise<T>)() : await v;

/** Walks sub-commands by the leading words; returns the deepest command and its path. */
async function findCommand(rawArgs: string[]) {
  let cmd: AnyCommand = mainCommand;
  let parent: AnyCommand | undefined;
  const path = ["stockroom"];
  let rest = rawArgs;
  for (;;) {
    const subs = cmd.subCommands ? await resolveValue(cmd.subCommands) : undefined;
    const word = rest[0];
    if (!subs || word === undefined || word.startsWith("-")) break;
    const next = subs[word];
    if (!next)
      throw new UsageError(
        `Unknown command '${word}' in '${[...path, word].join(" ")}'`,
        `Run \`${path.join(" ")} --help\` to see the commands.`,
      );
    parent = cmd;
    cmd = await resolveValue(next);
    path.push(word);
    rest = rest.slice(1);
  }
  return { cmd, parent, path, rest };
}

/** citty ignores options it does not know; a typo should not pass silently. */
async function checkOptions(cmd: AnyCommand, rest: string[], path: string[]) {
  const defs = (cmd.args ? await resolveValue(cmd.args) : {}) as ArgsDef;
  const known = new Set<string>();
  const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    known.add(name).add(kebab(name));
    const aliases = "alias" in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const a of aliases) known.add(a);
  }
  for (const token of rest) {
    if (token === "--") break;
    if (token === "-" || !token.startsWith("-") || /^-\d/.test(token)) continue;
    const name = token.replace(/^--?/, "").split("=")[0]!;
    const bare = name.startsWith("no-") ? name.slice(3) : name;
    if (!known.has(name) && !known.has(bare))
      throw new UsageError(
        `Unknown option '${token.split("=")[0]}' for '${path.join(" ")}'`,
        `Run \`${path.join(" ")} --help\` to see its options.`,
      );
  }
}

async function usage(cmd: AnyCommand, parent: AnyCommand | undefined, stream: NodeJS.WriteStream) {
  const text = await renderUsage(cmd, parent);
  stream.write(`${colorEnabled(stream) ? text : stripAnsi(text)}\n`);
}

/** Runs the CLI; resolves to the exit code instead of exiting, so tests can call it too. */
export async function main(rawArgs: string[] = process.argv.slice(2)): Promise<ExitCode> {
  let path = ["stockroom"];
  try {
    if (rawArgs.length === 1 && (rawArgs[0] === "--version" || rawArgs[0] === "-v")) {
      process.stdout.write(`${VERSION}\n`);
      return EXIT.OK;
    }
    const found = await findCommand(rawArgs);
    path = found.path;
    if (rawArgs.includes("--help") || rawArgs.includes("-h")) {
      await usage(found.cmd, found.parent, process.stdout);
      return EXIT.OK;
    }
    if (!found.cmd.run) {
      await usage(found.cmd, found.parent, process.stderr);
      throw new UsageError(
        rawArgs.length === 0 ? "No command given" : `'${path.join(" ")}' needs a sub-command`,
        `Run \`${path.join(" ")} --help\` to see the commands.`,
      );
    }
    await checkOptions(found.cmd, found.rest, path);
    await runCommand(mainCommand, { rawArgs });
    return EXIT.OK;
  } catch (err) {
    const url = (() => {
      const i = rawArgs.indexOf("--url");
      const eq = rawArgs.find((a) => a.startsWith("--url="));
      return (i >= 0 ? rawArgs[i + 1] : eq?.slice(6)) ?? process.env.STOCKROOM_URL ?? "http://localhost:8000";
    })();
    return reportError(err, { url, command: path.join(" ") });
  }
}
