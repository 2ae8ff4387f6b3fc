import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { RequestError } from "@hono/node-server";
import { AppError, toProblem } from "@stockroom/api";
import { SECURITY_HEADERS } from "./headers";

/** Longest URL (path + query) accepted; longer is 414. */
export const MAX_URL_CHARS = 8192;
/** Node's cap on the request line and headers together; over it the request cannot be read. */
export const MAX_HEADER_BYTES = 16_384;

const headersOf = (requestId: string, length: number): Record<string, string> => ({
  ...SECURITY_HEADERS,
  "content-type": "application/problem+json",
  "content-length": String(length),
  "x-request-id": requestId,
  connection: "close",
});

/**
 * A problem+json answer for a request that never became one: @hono/node-server could not
 * build it (no Host, a backslash in the path, an invalid URL). Hono never sees it, so the
 * shell's headers are added here.
 */
export function requestErrorResponse(err: unknown): Response {
  const requestId = randomUUID();
  const reason = err instanceof Error ? err.message : "The request could not be read";
  const problem =
    err instanceof RequestError
      ? new AppError("VALIDATION_FAILED", `Malformed request: ${reason}`, {
          issues: [{ path: "(request)", message: reason }],
        })
      : new AppError("INTERNAL", "An unexpected error occurred; it has been logged");
  const body = JSON.stringify(toProblem(problem, requestId));
  return new Response(body, {
    status: problem.status,
    headers: headersOf(requestId, Buffer.byteLength(body)),
  });
}

type ClientError = Error & { code?: string; reason?: string; rawPacket?: Buffer };

/** What a request Node's parser refused is told: its status comes from the catalogue. */
function clientProblem(err: ClientError): AppError {
  switch (err.code) {
    case "HPE_HEADER_OVERFLOW": {
      // The packet being parsed starts with the request line when the overflow is in it.
      const packet = err.rawPacket?.subarray(0, MAX_URL_CHARS + 64).toString("latin1") ?? "";
      const lineEnd = packet.indexOf("\r\n");
      const requestLine = /^[A-Z]+ /.test(packet) ? (lineEnd === -1 ? packet : packet.slice(0, lineEnd)) : "";
      const target = requestLine.slice(requestLine.indexOf(" ") + 1).replace(/ HTTP\/\d\.\d$/, "");
      if (target.length > MAX_URL_CHARS)
        return new AppError("URI_TOO_LONG", `The URL is over ${MAX_URL_CHARS} characters`, {
          issues: [{ path: "(url)", message: `Must be at most ${MAX_URL_CHARS} characters` }],
        });
      return new AppError("HEADERS_TOO_LARGE", `The request headers are over ${MAX_HEADER_BYTES / 1024} KiB`);
    }
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new AppError("REQUEST_TIMEOUT", "The request was not received in time");
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new AppError("PAYLOAD_TOO_LARGE", "The chunk extensions are too large");
    default: {
      const reason = err.reason ?? err.message.replace(/^Parse Error:\s*/, "");
      return new AppError("VALIDATION_FAILED", `Malformed HTTP request: ${reason}`, {
        issues: [{ path: "(request)", message: reason }],
      });
    }
  }
}

/**
 * Node's 'clientError': a request its parser refused (too long, malformed, too slow). Without
 * this listener Node writes a bare status line with no body (or resets the socket); here the
 * answer is problem+json like every other. The rest of what the client sends is read and
 * dropped until it stops, so closing does not reset the connection before it reads the answer.
 */
export function answerClientError(err: ClientError, socket: Duplex): void {
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const problem = clientProblem(err);
  const requestId = randomUUID();
  const body = JSON.stringify(toProblem(problem, requestId));
  const headers = headersOf(requestId, Buffer.byteLength(body));
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.on("error", () => {});
  socket.on("data", () => {});
  socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head}\r\n${body}`);
  setTimeout(() => socket.destroy(), 5000).unref();
}
