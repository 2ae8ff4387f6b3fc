import { randomBytes } from "node:crypto";
import { type LookupAddress, lookup as lookupAll } from "node:dns";
import { lookup } from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { EVENT_FEED_SQL, type Queryable, writeEvents } from "@stockroom/db";
import { AppError, notFound } from "../errors";
import type { DELIVERY_STATUSES, TWebhookEndpoint } from "../routers/webhooks/webhook.types";
import { isoOf, Statement } from "./named";

/**
 * Webhook endpoints (admin): where events are pushed, with what secret. Delivery itself is in
 * webhook-delivery.ts; the events come from the outbox (sql/events.sql).
 */

/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_HOURS = 24;

/** whsec_ + base64 of 24 random bytes, as Standard Webhooks secrets are written. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

// Where a webhook must never be sent (SSRF): private, loopback, link-local, unspecified,
// carrier-grade NAT, multicast and reserved ranges, in IPv4 and IPv6.
const refused = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  refused.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  refused.addSubnet(net, bits, "ipv6");

function refusedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return refused.check(mapped[1]!, "ipv4");
  return refused.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * Refuses (WEBHOOK_URL_REFUSED) a URL that is not https, or whose host is or resolves to an
 * address a webhook must not reach. `allowPrivate` (STOCKROOM_WEBHOOK_ALLOW_PRIVATE) lets
 * everything through: for development and tests against local receivers.
 */
export async function checkWebhookUrl(url: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const u = new URL(url);
  if (u.protocol !== "https:")
    throw new AppError("WEBHOOK_URL_REFUSED", `Webhook URLs must be https: ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    throw new AppError("WEBHOOK_URL_REFUSED", `The webhook host ${host} does not resolve`);
  }
  const bad = addresses.find(refusedAddress);
  if (bad !== undefined)
    throw new AppError(
      "WEBHOOK_URL_REFUSED",
      `The webhook host ${host} resolves to ${bad}, a private, loopback or link-local address`,
    );
}

/**
 * The resolver a delivery connects through: it answers the addresses it has just checked, so
 * the connection goes where the check looked. A name that re-resolves to a refused address
 * between the check when the URL is saved (or an attempt starts) and the connection (DNS
 * rebinding) fails the attempt instead of reaching it.
 */
export function checkedLookup(resolve: typeof lookupAll = lookupAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true, verbatim: true }, (err, found) => {
      const addresses = found as unknown as LookupAddress[];
      if (err) return callback(err, "", 0);
      const bad = addresses.find((a) => refusedAddress(a.address));
      if (bad !== undefined || addresses.length === 0) {
        const refusal = Object.assign(
          new Error(
            bad === undefined
              ? `The webhook host ${hostname} does not resolve`
              : `The webhook host ${hostname} resolves to ${bad.address}, a private, loopback or link-local address`,
          ),
          { code: "WEBHOOK_URL_REFUSED" },
        );
        return callback(refusal, "", 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

interface EndpointRow {
  id: string;
  url: string;
  events: string[] | string;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const ENDPOINT_COLUMNS = "id, url, events, description, enabled, disabled_reason, created_at, updated_at";

/** THE endpoint mapper (never the secrets). */
const toEndpoint = (r: EndpointRow): TWebhookEndpoint => ({
  id: r.id,
  url: r.url,
  events: Array.isArray(r.events) ? r.events : r.events.replace(/^\{|\}$/g, "").split(","),
  description: r.description,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  createdAt: isoOf(r.created_at),
  updatedAt: isoOf(r.updated_at),
});

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | null;
  enabled?: boolean;
}

/** A new endpoint and its secret (shown once). It receives events published from now on. */
export async function createWebhook(db: Queryable, input: WebhookInput, allowPrivate: boolean) {
  await checkWebhookUrl(input.url, allowPrivate);
  const secret = newWebhookSecret();
  const st = new Statement();
  const [row] = await st.rows<EndpointRow>(
    db,
    `insert into webhook_endpoints (url, events, description, enabled, secret, cursor)
     values (${st.p(input.url)}, ${st.p(input.events)}::text[], ${st.p(input.description ?? null)},
             ${st.p(input.enabled ?? true)}, ${st.p(secret)}, (select published from event_watermark where id = 1))
     returning ${ENDPOINT_COLUMNS}`,
  );
  return { ...toEndpoint(row!), secret };
}

export async function getWebhook(db: Queryable, id: string): Promise<TWebhookEndpoint> {
  const st = new Statement();
  const [row] = await st.rows<EndpointRow>(
    db,
    `select ${ENDPOINT_COLUMNS} from webhook_endpoints where id = ${st.p(id)}`,
  );
  if (!row) throw notFound("Webhook endpoint", id);
  return toEndpoint(row);
}

export async function listWebhooks(db: Queryable, input: { limit: number; offset: number }) {
  const st = new Statement();
  const rows = await st.rows<EndpointRow & { total: number | string }>(
    db,
    `select ${ENDPOINT_COLUMNS}, count(*) over () as total from webhook_endpoints
      order by created_at, id limit ${st.p(input.limit)} offset ${st.p(input.offset)}`,
  );
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && input.offset > 0) {
    const [c] = await new Statement().rows<{ n: string | number }>(
      db,
      "select count(*) as n from webhook_endpoints",
    );
    total = Number(c?.n ?? 0);
  }
  return { items: rows.map(toEndpoint), total, limit: input.limit, offset: input.offset };
}

/** Changes what is given. Enabling clears the reason the server disabled it for. */
export async function updateWebhook(
  db: Queryable,
  id: string,
  patch: Partial<WebhookInput>,
  allowPrivate: boolean,
): Promise<TWebhookEndpoint> {
  if (patch.url !== undefined) await checkWebhookUrl(patch.url, allowPrivate);
  const st = new Statement();
  const set = ["updated_at = now()"];
  if (patch.url !== undefined) set.push(`url = ${st.p(patch.url)}`);
  if (patch.events !== undefined) set.push(`events = ${st.p(patch.events)}::text[]`);
  if (patch.description !== undefined) set.push(`description = ${st.p(patch.description)}`);
  if (patch.enabled !== undefined)
    set.push(
      `enabled = ${st.p(patch.enabled)}`,
      `disabled_reason = case when ${st.p(patch.enabled)} then null else disabled_reason end`,
    );
  const [row] = await st.rows<EndpointRow>(
    db,
    `update webhook_endpoints set ${set.join(", ")} where id = ${st.p(id)} returning ${ENDPOINT_COLUMNS}`,
  );
  if (!row) throw notFound("Webhook endpoint", id);
  return toEndpoint(row);
}

/** Deletes the endpoint with its deliveries and their attempts. */
export async function deleteWebhook(db: Queryable, id: string): Promise<void> {
  const st = new Statement();
  const rows = await st.rows(db, `delete from webhook_endpoints where id = ${st.p(id)} returning id`);
  if (rows.length === 0) throw notFound("Webhook endpoint", id);
}

/** A new secret; the old one keeps signing for SECRET_OVERLAP_HOURS. */
export async function rotateWebhookSecret(db: Queryable, id: string) {
  const secret = newWebhookSecret();
  const st = new Statement();
  const [row] = await st.rows<{ id: string; expires: Date | string }>(
    db,
    `update webhook_endpoints set previous_secret = secret, secret = ${st.p(secret)},
            previous_secret_expires_at = now() + make_interval(hours => ${SECRET_OVERLAP_HOURS}), updated_at = now()
      where id = ${st.p(id)} returning id, previous_secret_expires_at as expires`,
  );
  if (!row) throw notFound("Webhook endpoint", id);
  return { id: row.id, secret, previousSecretExpiresAt: isoOf(row.expires) };
}

/** Writes a webhook.test event and queues it for this endpoint only. */
export async function testWebhook(db: Queryable, id: string) {
  await getWebhook(db, id);
  const [written] = await writeEvents(db, [
    { type: "webhook.test", data: { endpointId: id, message: "A test event from Stockroom" } },
  ]);
  const st = new Statement();
  await st.rows(
    db,
    `insert into webhook_deliveries (endpoint_id, event_seq, event_id)
     values (${st.p(id)}, ${st.p(written!.seq)}, ${st.p(written!.id)})`,
  );
  return { eventId: written!.id, sequence: written!.seq };
}

interface DeliveryRow {
  endpoint_id: string;
  event_id: string;
  event_seq: number | string;
  type: string | null;
  status: (typeof DELIVERY_STATUSES)[number];
  next_attempt_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
  attempts:
    | string
    | Array<{ at: string; statusCode: number | null; durationMs: number; error: string | null }>;
}

const DELIVERY_SELECT = `select d.endpoint_id, d.event_id, d.event_seq, e.type, d.status, d.next_attempt_at,
    d.created_at, d.updated_at,
    coalesce((select json_agg(json_build_object('at', a.at, 'statusCode', a.status_code,
                                                'durationMs', a.duration_ms, 'error', a.error) order by a.id)
                from webhook_attempts a where a.endpoint_id = d.endpoint_id and a.event_seq = d.event_seq), '[]') as attempts
  from webhook_deliveries d left join ${EVENT_FEED_SQL} on e.seq = d.event_seq`;

/** THE delivery mapper. */
const toDelivery = (r: DeliveryRow) => ({
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  sequence: Number(r.event_seq),
  type: r.type ?? "(no longer kept)",
  status: r.status,
  nextAttemptAt: r.status === "pending" ? isoOf(r.next_attempt_at) : null,
  attempts: (typeof r.attempts === "string" ? JSON.parse(r.attempts) : r.attempts).map(
    (a: { at: string; statusCode: number | null; durationMs: number; error: string | null }) => ({
      ...a,
      at: isoOf(a.at),
    }),
  ),
  createdAt: isoOf(r.created_at),
  updatedAt: isoOf(r.updated_at),
});

/** The endpoint's deliveries, newest event first, each with its attempts. */
export async function listDeliveries(
  db: Queryable,
  input: { id: string; status?: (typeof DELIVERY_STATUSES)[number]; limit: number; offset: number },
) {
  await getWebhook(db, input.id);
  const st = new Statement();
  const where = [`d.endpoint_id = ${st.p(input.id)}`];
  if (input.status !== undefined) where.push(`d.status = ${st.p(input.status)}::webhook_delivery_status`);
  const [counted] = await st.rows<{ n: string | number }>(
    db,
    `select count(*) as n from webhook_deliveries d where ${where.join(" and ")}`,
  );
  const page = new Statement();
  page.params.push(...st.params);
  const rows = await page.rows<DeliveryRow>(
    db,
    `${DELIVERY_SELECT} where ${where.join(" and ")} order by d.event_seq desc
     limit ${page.p(input.limit)} offset ${page.p(input.offset)}`,
  );
  return {
    items: rows.map(toDelivery),
    total: Number(counted?.n ?? 0),
    limit: input.limit,
    offset: input.offset,
  };
}

/** Sends the delivery again as soon as a worker gets to it (its attempts so far are kept). */
export async function retryDelivery(db: Queryable, id: string, eventId: string) {
  const st = new Statement();
  const [row] = await st.rows<{ event_seq: number | string }>(
    db,
    `update webhook_deliveries set status = 'pending', next_attempt_at = now(), lease_until = null, updated_at = now()
      where endpoint_id = ${st.p(id)} and event_id = ${st.p(eventId)} returning event_seq`,
  );
  if (!row) throw notFound("Delivery of event", `${eventId} to webhook endpoint ${id}`);
  const read = new Statement();
  const [d] = await read.rows<DeliveryRow>(
    db,
    `${DELIVERY_SELECT} where d.endpoint_id = ${read.p(id)} and d.event_seq = ${read.p(row.event_seq)}`,
  );
  return toDelivery(d!);
}
