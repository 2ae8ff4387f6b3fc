import { AppError, toProblem } from "@stockroom/api";
import type { Context } from "hono";

/** Sends an AppError as application/problem+json. */
export function problem(c: Context, err: AppError): Response {
  const body = toProblem(err, c.get("requestId") ?? "");
  const headers: Record<string, string> = { "content-type": "application/problem+json" };
  if (err.retryAfter !== undefined) headers["retry-after"] = String(err.retryAfter);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

export const problemOf = (c: Context, code: ConstructorParameters<typeof AppError>[0], detail: string) =>
  problem(c, new AppError(code, detail));
