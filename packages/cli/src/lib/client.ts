/**
 * The SDK client for a command, from --url / --api-key, else STOCKROOM_URL /
 * STOCKROOM_API_KEY, else url http://localhost:8000 (a key has no default).
 *
 *   connectionFrom(args, env?)  → { url, apiKey }   (UsageError when no key or a bad URL)
 *   clientFrom(args, env?)      → { client, url }    a StockroomClient (types from the API)
 */
import { createStockroomClient, type StockroomClient } from "@stockroom/sdk";
import { UsageError } from "./exit";

export const DEFAULT_URL = "http://localhost:8000";

export interface ConnectionArgs {
  url?: unknown;
  "api-key"?: unknown;
  apiKey?: unknown;
}

export function connectionFrom(args: ConnectionArgs, env: NodeJS.ProcessEnv = process.env) {
  const pick = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const url = pick(args.url) ?? pick(env.STOCKROOM_URL) ?? DEFAULT_URL;
  const apiKey = pick(args["api-key"]) ?? pick(args.apiKey) ?? pick(env.STOCKROOM_API_KEY);
  if (!/^https?:\/\/[^/\s]+/i.test(url))
    throw new UsageError(
      `--url must be an http(s) URL, got '${url}'`,
      "For example: --url http://localhost:8000",
    );
  if (!apiKey)
    throw new UsageError(
      "No API key: pass --api-key or set STOCKROOM_API_KEY",
      "The server prints an admin key on its first start; `stockroom keys create` makes more.",
    );
  return { url, apiKey };
}

export function clientFrom(args: ConnectionArgs, env: NodeJS.ProcessEnv = process.env) {
  const { url, apiKey } = connectionFrom(args, env);
  const client: StockroomClient = createStockroomClient({
    url,
    apiKey,
    timeoutMs: 30_000,
    maxRetries: 2,
    headers: { "user-agent": "stockroom-cli" },
  });
  return { client, url };
}
