import { PROCEDURES } from "./procedures";
import {
  type ProcedureKind,
  RequestSender,
  type RequestSenderOptions,
  type SendOptions,
} from "./request-sender";
import type { StockroomProcedures } from "./types";

/** Connection, timeout and retry settings; see RequestSenderOptions for each field. */
export type StockroomClientOptions = RequestSenderOptions;

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
