import type { AppRouter } from "@stockroom/api";
import { httpBatchLink, httpLink, type Operation, splitLink, type TRPCLink } from "@trpc/client";
import { resolveOptions, type StockroomClientOptions } from "./options";
import { stockroomRetryLink } from "./retry-link";
import { transportFetch } from "./transport";

/** The server refuses a URL (path and query) over 8192 characters; a batch stays under it. */
const MAX_BATCH_URL_LENGTH = 8000;

/**
 * The tRPC links the client is made of. They work in tRPC's own client too (a failure is then
 * a TRPCClientError whose `cause` is the StockroomError), but are not exported: a public type
 * from @trpc/client would pull its declarations, which name DOM types, into every Node
 * project that checks libraries (skipLibCheck false).
 *
 *   stockroomRetryLink   one Idempotency-Key per mutation, retries, StockroomError
 *   splitLink            queries → httpBatchLink (unless `batch: false`), mutations → httpLink:
 *                        a batch shares one set of headers, and each mutation needs its own key
 *
 * With `readYourWrites` (default) every query carries `Read-After`: the highest Write-Position
 * a change of this client was answered, so a read replica behind it does not serve the read.
 *
 * Subscriptions (the events stream, when the server has one) will take a third branch of the
 * split, to httpSubscriptionLink (Server-Sent Events), with the same auth header.
 */
export function createStockroomLinks(options: StockroomClientOptions): TRPCLink<AppRouter>[] {
  const o = resolveOptions(options);
  const written = o.readYourWrites ? new WritePosition() : null;
  const fetch = transportFetch({
    baseUrl: o.trpcUrl,
    timeoutMs: o.timeoutMs,
    fetch: o.fetch,
    ...(written ? { onHeaders: (h: Headers) => written.saw(h.get("write-position")) } : {}),
  });
  const common = () => ({ accept: "application/json", ...o.headers, authorization: `Bearer ${o.apiKey}` });
  const reading = () => (written?.latest ? { ...common(), "read-after": written.latest } : common());
  const single = httpLink<AppRouter>({
    url: o.trpcUrl,
    fetch,
    headers: ({ op }: { op: Operation }) => {
      const key = op.context.idempotencyKey;
      if (op.type === "query") return reading();
      return typeof key === "string" ? { ...common(), "idempotency-key": key } : common();
    },
  });
  const queries = o.batch
    ? httpBatchLink<AppRouter>({
        url: o.trpcUrl,
        fetch,
        headers: reading,
        maxURLLength: MAX_BATCH_URL_LENGTH,
      })
    : single;
  return [
    stockroomRetryLink(o),
    splitLink({ condition: (op) => op.type === "query", true: queries, false: single }),
  ];
}

/**
 * The highest Write-Position this client was answered, as the server wrote it. Positions are
 * PostgreSQL WAL positions (`16/B374D848`): compared as numbers, anything else ignored.
 */
class WritePosition {
  latest: string | null = null;
  private value = -1n;

  saw(header: string | null): void {
    const match = header ? /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(header) : null;
    if (!match) return;
    const value = (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
    if (value > this.value) {
      this.value = value;
      this.latest = header;
    }
  }
}
