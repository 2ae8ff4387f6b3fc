import { PROCEDURES } from "./procedures";
import { type FetchLike, type ProcedureKind, RequestSender, type SendOptions } from "./request-sender";
import type { StockroomProcedures } from "./types";

export interface StockroomClientOptions {
  /** Server root, e.g. `http://localhost:8000`. */
  url: string;
  /** A Stockroom API key; sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** A fetch implementation; default: the global fetch. */
  fetch?: FetchLike;
  /** Time limit for each attempt, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt (network errors, timeouts, 429, 503). Default 2; 0 disables. */
  maxRetries?: number;
  /** First backoff step in ms; doubles per retry, with jitter. Default 500. */
  initialRetryDelayMs?: number;
  /** Upper bound for one wait between attempts, Retry-After included, in ms. Default 30 000. */
  maxRetryDelayMs?: number;
  /** Extra headers sent with every request, e.g. `{ "x-request-id": "…" }`. */
  headers?: Record<string, string>;
}

export type StockroomClient = StockroomProcedures;

type KindTree = { readonly [name: string]: ProcedureKind | KindTree };

function decorate(sender: RequestSender, tree: KindTree, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out[name] =
      typeof node === "string"
        ? Object.defineProperty(
            (input?: unknown, options?: SendOptions) => sender.send(node, path, input, options),
            "name",
            { value: path },
          )
        : decorate(sender, node, path);
  }
  return out;
}

/**
 * A client whose namespaces mirror the API's procedures:
 * `client.products.list(input)`, `client.products.create(input, { idempotencyKey })`.
 */
export function createStockroomClient(options: StockroomClientOptions): StockroomClient {
  const sender = new RequestSender(options);
  return decorate(sender, PROCEDURES, "") as unknown as StockroomClient;
}
