import type { IncomingMessage } from "node:http";
import { AppError } from "@stockroom/api";
import type { Context } from "hono";
import type { AppEnv } from "./env";

/** Largest request body accepted; larger is 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Security headers on every answer (the set hono/secure-headers sends by default). Kept as a
 * plain record: the hot REST answers are built with them in one object, which
 * @hono/node-server writes without converting through a Headers instance.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "origin-agent-cluster": "?1",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=15552000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-dns-prefetch-control": "off",
  "x-download-options": "noopen",
  "x-frame-options": "SAMEORIGIN",
  "x-permitted-cross-domain-policies": "none",
  "x-xss-protection": "0",
});

const incomingOf = (c: Context<AppEnv>) => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/**
 * A request header by lower-case name. Under @hono/node-server it is read from Node's own
 * parsed headers: asking the Web Request for one builds a full undici Request and Headers
 * per request, which cost more than the rest of a cached read. In-process requests
 * (app.request in tests) have no Node request and use Hono's.
 */
export function header(c: Context<AppEnv>, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (incoming === undefined) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Everything the shell adds to an answer, for a handler that builds its response itself. */
export function shellHeaders(c: Context<AppEnv>, contentType: string | null): Record<string, string> {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, "x-request-id": c.get("requestId") };
  if (contentType) headers["content-type"] = contentType;
  for (const [k, v] of c.get("responseHeaders")) headers[k] = v;
  c.set("headersDone", true);
  return headers;
}

/** True when the request came through @hono/node-server (not app.request in tests). */
export const fromNode = (c: Context<AppEnv>) => incomingOf(c) !== undefined;

/**
 * The request body as text, read straight from Node's request stream when there is one:
 * going through the Web Request builds a web stream per request, which cost more than the
 * JSON parsing. Over maxBytes it fails with PAYLOAD_TOO_LARGE (the rest is discarded).
 */
export function bodyText(c: Context<AppEnv>, maxBytes: number): Promise<string> {
  const incoming = incomingOf(c);
  if (incoming === undefined) return c.req.text();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    incoming.once("end", () => {
      if (size > maxBytes)
        reject(new AppError("PAYLOAD_TOO_LARGE", `The request body is over ${maxBytes / 1024 / 1024} MiB`));
      else resolve(Buffer.concat(chunks, size).toString("utf8"));
    });
    incoming.once("error", reject);
    // A client that goes away mid-body: no 'end' will come.
    incoming.once("close", () => {
      if (!incoming.complete)
        reject(new AppError("VALIDATION_FAILED", "The request body was cut off before its end"));
    });
  });
}
