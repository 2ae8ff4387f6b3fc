import { StockroomError } from "./errors";
import { type FetchLike, resolveOptions, type StockroomClientOptions } from "./options";
import type { RouterInputs, RouterOutputs } from "./types";

/** One event of the feed, the stream or a webhook: a union discriminated by `type`. */
export type StockroomEvent = RouterOutputs["events"]["list"]["items"][number];
export type StockroomEventType = StockroomEvent["type"];
/** The event whose `type` is T, with its typed `data`. */
export type StockroomEventOf<T extends StockroomEventType> = Extract<StockroomEvent, { type: T }>;

export type EventStreamQuery = Omit<NonNullable<RouterInputs["events"]["list"]>, "limit">;

export interface EventStreamOptions {
  /** Ends the stream (the iterator returns). */
  signal?: AbortSignal;
  /** Wait before reconnecting after the connection drops; doubles up to 30 s. Default 1 000. */
  reconnectDelayMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * The events from `after` on, as they are published, from GET /api/events/stream
 * (Server-Sent Events). A dropped connection is reopened with `Last-Event-ID`, so nothing is
 * missed or repeated; an answer that is not a stream (bad key, bad query) throws a
 * StockroomError. Ends when `signal` aborts.
 */
export async function* streamEvents(
  client: StockroomClientOptions,
  query: EventStreamQuery = {},
  options: EventStreamOptions = {},
): AsyncGenerator<StockroomEvent, void, undefined> {
  const resolved = resolveOptions(client);
  const fetchFn: FetchLike = resolved.fetch ?? ((input, init) => fetch(input, init));
  const root = resolved.trpcUrl.replace(/\/trpc$/, "");
  const { signal } = options;
  let lastId = query.after;
  let delay = options.reconnectDelayMs ?? 1000;
  while (!signal?.aborted) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (v !== undefined && k !== "after") params.set(k, String(v));
    if (lastId !== undefined) params.set("after", lastId);
    let res: Response;
    try {
      res = await fetchFn(`${root}/api/events/stream?${params}`, {
        headers: {
          ...resolved.headers,
          authorization: `Bearer ${resolved.apiKey}`,
          accept: "text/event-stream",
        },
        signal,
      });
    } catch {
      // A network failure: reconnect, backing off.
      if (signal?.aborted) return;
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 30_000);
      continue;
    }
    if (!res.ok || !res.body) {
      const body = await res.json().catch(() => null);
      if (res.status >= 500) {
        await sleep(delay, signal);
        continue;
      }
      throw new StockroomError({
        code: body?.code ?? "INTERNAL",
        status: res.status,
        detail: body?.detail ?? `The event stream answered ${res.status}`,
        requestId: body?.requestId ?? res.headers.get("x-request-id"),
        issues: body?.issues,
        procedure: "events.stream",
      });
    }
    delay = options.reconnectDelayMs ?? 1000;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          let id: string | undefined;
          let data = "";
          for (const line of frame.split("\n")) {
            if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("data: ")) data += line.slice(6);
          }
          if (!data) continue;
          const event = JSON.parse(data) as StockroomEvent;
          lastId = id ?? String(event.sequence);
          yield event;
        }
      }
    } catch {
      // The connection dropped mid-stream: reconnect after the last event seen.
    } finally {
      await reader.cancel().catch(() => {});
    }
    if (!signal?.aborted) await sleep(delay, signal);
  }
}
