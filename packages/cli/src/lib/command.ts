/**
 * defineApiCommand: a citty command that talks to the API. It adds the common args
 * (--url, --api-key, --json), builds the SDK client and the Output, and hands them to run.
 * Errors are not caught here: the main loop (src/main.ts) reports them and picks the exit code.
 *
 *   export default defineApiCommand({
 *     meta: { name: "list", description: "List stores" },
 *     args: { ...pagingArgs },
 *     async run({ args, client, out }) {
 *       const page = await client.stores.list(pagingFrom(args));
 *       out.result(page, () => out.table(page.items, [{ header: "id", value: (s) => s.id }]));
 *     },
 *   });
 *
 *   defineLocalCommand(...) is the same without a client (only --json), for commands that
 *   do not call the API.
 */

import type { StockroomClient } from "@stockroom/sdk";
import { type ArgsDef, type CommandDef, defineCommand, type ParsedArgs } from "citty";
import { commonArgs, jsonArg } from "./args";
import { clientFrom } from "./client";
import { createOutput, type Output } from "./output";

type Meta = { name: string; description: string };

export interface ApiContext<A extends ArgsDef> {
  args: ParsedArgs<A & typeof commonArgs>;
  /** The command's own words and options, for options given more than once (see repeatedOption). */
  rawArgs: string[];
  client: StockroomClient;
  url: string;
  out: Output;
}

export function defineApiCommand<const A extends ArgsDef>(def: {
  meta: Meta;
  args?: A;
  run(ctx: ApiContext<A>): Promise<void>;
}): CommandDef<A & typeof commonArgs> {
  const args = { ...(def.args ?? ({} as A)), ...commonArgs } as A & typeof commonArgs;
  return defineCommand({
    meta: def.meta,
    args,
    async run({ args: parsed, rawArgs }) {
      const out = createOutput({ json: parsed.json === true });
      const { client, url } = clientFrom(parsed);
      await def.run({ args: parsed, rawArgs, client, url, out });
    },
  });
}

export interface LocalContext<A extends ArgsDef> {
  args: ParsedArgs<A & typeof jsonArg>;
  out: Output;
}

export function defineLocalCommand<const A extends ArgsDef>(def: {
  meta: Meta;
  args?: A;
  run(ctx: LocalContext<A>): Promise<void>;
}): CommandDef<A & typeof jsonArg> {
  const args = { ...(def.args ?? ({} as A)), ...jsonArg } as A & typeof jsonArg;
  return defineCommand({
    meta: def.meta,
    args,
    async run({ args: parsed }) {
      await def.run({ args: parsed, out: createOutput({ json: parsed.json === true }) });
    },
  });
}

/** Any command, whatever its args: what a command table holds (citty's own SubCommandsDef does the same). */
// biome-ignore lint/suspicious/noExplicitAny: a command's args type is contravariant in run(); tables mix them
export type AnyCommand = CommandDef<any>;

/** A command group whose sub-commands load only when named. */
export function defineGroup(meta: Meta, subCommands: Record<string, () => Promise<AnyCommand>>): CommandDef {
  return defineCommand({ meta, subCommands });
}
