import {
  type AnyOperation,
  coerceQuery,
  EVENT_STREAM_PATH,
  operations,
  type RootContext,
  type Runtime,
  runOperation,
  type TEvent,
} from "@stockroom/api";
import { feedFrontier } from "@stockroom/db";
import type { Context, Hono } from "hono";
import type { AppEnv } from "./env";
import { header, shellHeaders } from "./headers";
import { type ErrorExit, problem } from "./problem";

export interface EventStreamOptions {
  /** How often the server reads the feed's frontier for its open streams. */
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

interface Waiter {
  past: number;
  finish: () => void;
}

/**
 * The feed's frontier (the sequence up to which events may be read), read once a tick for
 * every open stream of this server, and only while one waits. A stream reads the feed when
 * the frontier passes what it has already looked at, or when its heartbeat is due: a thousand
 * idle dashboards cost one small query a tick, not a thousand feed reads.
 */
export class FrontierWatch {
  /** The last frontier read; 0 before the first read (every sequence is above it). */
  frontier = 0;
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly pollMs: number,
  ) {}

  /** Resolves once the frontier is past `past`, after `ms`, or when cancelled. */
  wait(past: number, ms: number): { done: Promise<void>; cancel: () => void } {
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      const waiter: Waiter = {
        past,
        finish: () => {
          clearTimeout(deadline);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const deadline = setTimeout(waiter.finish, ms);
      finish = waiter.finish;
      this.waiters.add(waiter);
    });
    this.schedule();
    return { done, cancel: finish };
  }

  private schedule() {
    if (this.timer !== undefined || this.reading || this.waiters.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }

  private async tick() {
    this.timer = undefined;
    this.reading = true;
    try {
      this.frontier = Math.max(this.frontier, await this.read());
    } catch {
      // The database away for a moment: the streams wait for the next tick or their heartbeat.
    } finally {
      this.reading = false;
    }
    for (const w of [...this.waiters]) if (this.frontier > w.past) w.finish();
    this.schedule();
  }
}

/**
 * GET /api/events/stream: the feed's events as Server-Sent Events, from `after` (or the
 * `Last-Event-ID` a reconnecting client sends), filtered as the feed is. A refused first read
 * (no key, bad parameters) answers problem+json like any route; once streaming, a key that
 * stops being valid ends the stream (checked at each read, at the latest at each heartbeat).
 */
export function mountEventStream(
  app: Hono<AppEnv>,
  makeContext: (c: Context<AppEnv>) => RootContext,
  errorExit: ErrorExit,
  options: EventStreamOptions,
  runtime: Runtime,
) {
  const watch = new FrontierWatch(() => feedFrontier(runtime.database.db), options.pollMs);
  app.get(`/api${EVENT_STREAM_PATH}`, async (c) => {
    c.set("route", EVENT_STREAM_ROUTE);
    const ctx = makeContext(c);
    let query: Record<string, unknown>;
    let first: Page;
    // Read before the first page: everything the page leaves out up to it has been looked at.
    let looked = watch.frontier;
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
    // here would never be read nor cancelled, and would wait on the frontier until shutdown.
    if (c.req.method === "HEAD") return new Response(null, { status: 200, headers });

    const hooks = runtime.hooks;
    const limit = Number(query.limit ?? 20);
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true;
        let cancelWait = () => {};
        hooks.eventStream?.("opened");
        stop = () => {
          if (!open) return;
          open = false;
          hooks.eventStream?.("closed");
          options.shutdown?.removeEventListener("abort", stop);
          cancelWait();
          try {
            controller.close();
          } catch {}
        };
        options.shutdown?.addEventListener("abort", stop, { once: true });
        const send = (chunk: Uint8Array) => {
          if (open) controller.enqueue(chunk);
        };
        (async () => {
          // Tell EventSource clients how soon to reconnect, then the first page.
          send(encoder.encode("retry: 2000\n\n"));
          let page = first;
          // Where the next read starts: after the last event sent, or after everything a page
          // that was not full looked at (the events it skipped did not match the filters).
          let after = Number((query.after as string | undefined) ?? 0);
          let quietSince = Date.now();
          while (open) {
            for (const e of page.items) send(frame(e));
            after = Math.max(after, Number(page.nextCursor ?? 0));
            if (page.items.length > 0) quietSince = Date.now();
            else if (Date.now() - quietSince >= options.heartbeatMs) {
              send(encoder.encode(": heartbeat\n\n"));
              quietSince = Date.now();
            }
            // A full page: more is waiting, read on at once. Otherwise the page had every
            // matching event up to the frontier read before it: wait for the frontier to move
            // past that, or for the heartbeat.
            if (page.items.length < limit) {
              after = Math.max(after, looked);
              const wait = watch.wait(after, Math.max(0, quietSince + options.heartbeatMs - Date.now()));
              cancelWait = wait.cancel;
              await wait.done;
            }
            if (!open) break;
            looked = watch.frontier;
            hooks.eventStream?.("read");
            try {
              page = (await runOperation(feed, ctx, async () => ({
                ...query,
                after: String(after),
              }))) as Page;
            } catch (err) {
              const e = errorExit(err, ctx.requestId, "events.stream");
              // The key was revoked or lost its role: the stream ends. Anything else (the
              // database away for a moment) is retried at the next tick.
              if (e.appCode === "UNAUTHORIZED" || e.appCode === "FORBIDDEN") break;
              looked = after;
              page = { items: [], nextCursor: null };
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
