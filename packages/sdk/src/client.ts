import type { AppRouter } from "@stockroom/api";
import { createTRPCUntypedClient } from "@trpc/client";
import { createStockroomLinks } from "./links";
import type { ProcedureKind, StockroomClientOptions } from "./options";
import { PROCEDURES } from "./procedures";
import { toStockroomError } from "./to-stockroom-error";
import type { MutationOptions, StockroomProcedures } from "./types";

export type { StockroomClientOptions } from "./options";

export type StockroomClient = StockroomProcedures;

type KindTree = { readonly [name: string]: ProcedureKind | KindTree };
type Call = (
  kind: ProcedureKind,
  path: string,
  input: unknown,
  options?: MutationOptions,
) => Promise<unknown>;

function decorate(call: Call, tree: KindTree, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${name}` : name;
    out[name] =
      typeof node === "string"
        ? Object.defineProperty(
            (input?: unknown, options?: MutationOptions) => call(node, path, input, options),
            "name",
            { value: path },
          )
        : decorate(call, node, path);
  }
  return out;
}

/**
 * A client whose namespaces mirror the API's procedures:
 * `client.products.list(input)`, `client.products.create(input, { idempotencyKey })`.
 * Underneath it is tRPC's client with the links of createStockroomLinks.
 */
export function createStockroomClient(options: StockroomClientOptions): StockroomClient {
  const trpc = createTRPCUntypedClient<AppRouter>({ links: createStockroomLinks(options) });
  const call: Call = async (kind, path, input, callOptions = {}) => {
    const { signal, idempotencyKey } = callOptions;
    const request = {
      signal,
      context: kind === "mutation" && idempotencyKey !== undefined ? { idempotencyKey } : undefined,
    };
    try {
      return await (kind === "query"
        ? trpc.query(path, input, request)
        : trpc.mutation(path, input, request));
    } catch (err) {
      // A cancelled call rejects with the caller's own reason, as fetch does.
      if (signal?.aborted) throw signal.reason;
      throw toStockroomError(err, path, 1);
    }
  };
  return decorate(call, PROCEDURES, "") as unknown as StockroomClient;
}
