import { AppError, toAppError, toProblem } from "@stockroom/api";
import type { Context } from "hono";
import type { Logger } from "pino";

/** Sends an AppError as application/problem+json. */
export function problem(c: Context, err: AppError): Response {
  const body = toProblem(err, c.get("requestId") ?? "");
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

export const problemOf = (c: Context, code: ConstructorParameters<typeof AppError>[0], detail: string) =>
  problem(c, new AppError(code, detail));

/** Turns anything thrown into the AppError the client will see, logging it if it is our bug. */
export type ErrorExit = (err: unknown, requestId: string | undefined, route?: string) => AppError;

/**
 * The server's one error exit: REST, tRPC (its onError) and Hono's onError all pass every
 * failure through it. Each transport then writes the AppError its own way: problem+json,
 * or tRPC's envelope (the errorFormatter, which maps with the same toAppError).
 */
export function createErrorExit(logger: Logger): ErrorExit {
  return (err, requestId, route) => {
    const app = toAppError(err);
    if (app.appCode === "INTERNAL")
      logger.error({ err: app.cause ?? err, requestId, route }, "unhandled error");
    return app;
  };
}
