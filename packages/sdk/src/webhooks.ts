import type { StockroomEvent } from "./events";

/** A webhook request that is not proven to come from the Stockroom server holding the secret. */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, in seconds (replays). Default 300. */
  toleranceSeconds?: number;
  /** Now, in ms since the epoch (tests). */
  now?: number;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function headerOf(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return Array.isArray(v) ? v[0] : v;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Constant time: every byte is compared whatever the first difference. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Checks a webhook request as Standard Webhooks specifies: `webhook-signature` holds a `v1,`
 * HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the secret (the base64 after
 * `whsec_`; pass both secrets during a rotation), and the timestamp is within the tolerance.
 * `rawBody` must be the bytes as received, before any JSON parsing. Answers the event; throws
 * WebhookVerificationError otherwise.
 */
export async function verifyWebhook(
  secret: string | string[],
  headers: HeaderBag,
  rawBody: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Promise<StockroomEvent> {
  const id = headerOf(headers, "webhook-id");
  const timestamp = headerOf(headers, "webhook-timestamp");
  const signatures = headerOf(headers, "webhook-signature");
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError("Missing webhook-id, -timestamp or -signature");
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    throw new WebhookVerificationError("Invalid webhook-timestamp");
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (seconds < now - tolerance) throw new WebhookVerificationError("The webhook-timestamp is too old");
  if (seconds > now + tolerance) throw new WebhookVerificationError("The webhook-timestamp is in the future");

  const body = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const given = signatures
    .split(" ")
    .map((s) => s.split(","))
    .filter(([version, value]) => version === "v1" && value)
    .map(([, value]) => {
      try {
        return fromBase64(value!);
      } catch {
        return new Uint8Array();
      }
    });
  for (const s of Array.isArray(secret) ? secret : [secret]) {
    const key = await crypto.subtle.importKey(
      "raw",
      fromBase64(s.startsWith("whsec_") ? s.slice(6) : s),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
    if (given.some((g) => sameBytes(g, expected))) return JSON.parse(body) as StockroomEvent;
  }
  throw new WebhookVerificationError("No signature matches");
}
