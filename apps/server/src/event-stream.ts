import {
  type AnyOperation,
  coerceQuery,
  EVENT_STREAM_PATH,
  operations,
  type RootContext,
  runOperation,
  type TEvent,
} from "@stockroom/api";
import type { Context, Hono } from "hono";
import type { AppEnv } from "./env";
import { header, shellHeaders } from "./headers";
import { type ErrorExit, problem } from "./problem";

export interface EventStreamOptions {
  /** How often an open stream asks the feed for new events. */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs: number;
  /** Aborted when the server shuts down: every open stream ends. */
  shutdown?: AbortSignal;
}

/** Documented in the OpenAPI document by @stockroom/api (documentEventStream in openapi.ts). */
export const EVENT_STREAM_ROUTE = `GET /api${EVENT_STREAM_PATH}`;

/** The stream is the feed (events.list), read again and again: same key check, input and order. */
const feed = operations.find((o) => o.name === "events.list") as AnyOperation;

type Page = { items: TEvent[]; nextCursor: string | null };

const encoder = new TextEncoder();
/** One Server-Sent Event: `id` is the sequence, so a reconnecting client resumes after it. */
const frame = (e: TEvent) => encoder.encode(`id: ${e.sequence}\ndata: ${JSON.stringify(e)}\n\n`);

/**
 * GET /api/events/stream: the feed's events as Server-Sent Events, from `after` (or the
 * `Last-Event-ID` a reconnecting client sends), filtered as the feed is. A refused first read
 * (no key, bad parameters) answers problem+json like any route; once streaming, a key that
 * stops being valid ends the stream.
 */
export function mountEventStream(
  app: Hono<AppEnv>,
  makeContext: (c: Context<AppEnv>) => RootContext,
  errorExit: ErrorExit,
  options: EventStreamOptions,
) {
  app.get(`/api${EVENT_STREAM_PATH}`, async (c) => {
    c.set("route", EVENT_STREAM_ROUTE);
    const ctx = makeContext(c);
    let query: Record<string, unknown>;
    let first: Page;
    try {
      query = coerceQuery(feed.input, c.req.queries());
      const resume = header(c, "last-event-id");
      if (resume !== undefined && resume !== "") query = { ...query, after: resume };
      first = (await runOperation(feed, ctx, async () => query)) as Page;
    } catch (err) {
      return problem(c, errorExit(err, ctx.requestId, "events.stream"));
    }

    const headers = {
      ...shellHeaders(c, "text/event-stream; charset=utf-8"),
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    };
    // HEAD (answered by this GET route): the checks and headers, no stream. A stream started
    // here would never be read nor cancelled, and would poll the feed until shutdown.
    if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });

    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true;
        let wake: (() => void) | null = null;
        let timer: NodeJS.Timeout | undefined;
        stop = () => {
          if (!open) return;
          open = false;
          clearTimeout(timer);
          wake?.();
          try {
            controller.close();
          } catch {}
        };
        options.shutdown?.addEventListener("abort", stop, { once: true });
        const pause = (ms: number) =>
          new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, ms);
          });
        const send = (chunk: Uint8Array) => {
          if (open) controller.enqueue(chunk);
        };
        (async () => {
          // Tell EventSource clients how soon to reconnect, then the first page.
          send(encoder.encode("retry: 2000\n\n"));
          let page = first;
          let cursor = (query.after as string | undefined) ?? null;
          let quietSince = Date.now();
          while (open) {
            for (const e of page.items) send(frame(e));
            cursor = page.nextCursor ?? cursor;
            if (page.items.length > 0) quietSince = Date.now();
            else if (Date.now() - quietSince >= options.heartbeatMs) {
              send(encoder.encode(": heartbeat\n\n"));
              quietSince = Date.now();
            }
            // A full page: more is waiting, read on at once.
            if (page.items.length < Number(query.limit ?? 20)) await pause(options.pollMs);
            if (!open) break;
            try {
              page = (await runOperation(feed, ctx, async () => ({
                ...query,
                ...(cursor ? { after: cursor } : {}),
              }))) as Page;
            } catch (err) {
              const e = errorExit(err, ctx.requestId, "events.stream");
              // The key was revoked or lost its role: the stream ends. Anything else (the
              // database away for a moment) is retried at the next tick.
              if (e.appCode === "UNAUTHORIZED" || e.appCode === "FORBIDDEN") break;
              page = { items: [], nextCursor: cursor };
            }
          }
          stop();
        })();
      },
      cancel() {
        stop();
      },
    });
    return new Response(body, { status: 200, headers });
  });
}
