import { createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import {
  EVENT_FEED_SQL,
  EVENT_SELECT_SQL,
  LAST_SEQ_SQL,
  PUBLISHED_SEQ_SQL,
  type Queryable,
} from "@stockroom/db";
import type { TEvent } from "../routers/events/event.types";
import { toEvent } from "./events";
import { Statement } from "./named";
import { checkedLookup, checkWebhookUrl } from "./webhooks";

/**
 * Delivery of events to webhook endpoints, at least once, from the database:
 * 1. fan-out: each enabled endpoint gets a delivery row for each published event its filter
 *    takes, after its cursor (the cursor moves in the same statement);
 * 2. claim: due deliveries are leased (FOR UPDATE SKIP LOCKED, `lease_until`), only the oldest
 *    pending one of each (endpoint, product) lane, so one product's events arrive in order and
 *    a failing one holds back only its product; several replicas never send one attempt twice,
 *    and a crashed worker's lease lapses and the delivery is sent again;
 * 3. send, signed as Standard Webhooks says, and record the attempt and the next one.
 */

/** Retry delays after each failed attempt, in seconds: about three days in all. */
export const RETRY_SCHEDULE_S = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000];
/** Give up on a receiver after this long. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/**
 * How long a claim is held (STOCKROOM_WEBHOOK_LEASE_MS): after it another worker may send the
 * delivery again, so a crashed worker's claims are resent this long after they were taken.
 * A live worker must have finished with its claim by then, or two would send one attempt: the
 * lease outlasts the attempt's timeout, with a second to spare for the name lookup before the
 * POST and for recording the attempt.
 */
export const DEFAULT_LEASE_MS = 30_000;
export const MIN_LEASE_MS = ATTEMPT_TIMEOUT_MS + 1000;

/** Standard Webhooks: `v1,<base64 HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}")>`, one per secret. */
export function signWebhook(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((s) => {
      const key = Buffer.from(s.startsWith("whsec_") ? s.slice(6) : s, "base64");
      return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
    })
    .join(" ");
}

/** The wait before attempt `attempts + 1`, with ±10 % jitter, scaled (tests run it fast). */
export function retryDelayMs(attempts: number, scale: number, retryAfterS?: number): number | null {
  const base = RETRY_SCHEDULE_S[attempts - 1];
  if (base === undefined) return null;
  const wait = Math.max(base, retryAfterS ?? 0) * 1000 * (0.9 + Math.random() * 0.2);
  return Math.round(wait * scale);
}

/** Creates the deliveries of newly published events, at most `max` events per endpoint. */
export async function fanOutDeliveries(db: Queryable, max = 1000): Promise<number> {
  const st = new Statement();
  const rows = await st.rows(
    db,
    `with ep as (
       select w.id, w.events, w.cursor,
              -- The seq of its max-th next event (sequence numbers have gaps), else the frontier.
              coalesce((select max(n.seq) from (select e.seq from ${EVENT_FEED_SQL}
                                                  where e.seq > w.cursor and e.seq <= ${PUBLISHED_SEQ_SQL}
                                                  order by e.seq limit ${st.p(max)}) n
                         having count(*) = ${st.p(max)}), ${PUBLISHED_SEQ_SQL}) as upto
         from webhook_endpoints w
        where w.enabled and w.cursor < ${PUBLISHED_SEQ_SQL}
        for update skip locked
     ),
     created as (
       insert into webhook_deliveries (endpoint_id, event_seq, event_id, product_id)
       select ep.id, e.seq, e.id, e.product_id from ep
         cross join lateral (select e.seq, e.id, e.type, e.product_id from ${EVENT_FEED_SQL}
                              where e.seq > ep.cursor and e.seq <= ep.upto) e
        where e.type <> 'webhook.test' and ('*' = any(ep.events) or e.type = any(ep.events))
       on conflict do nothing
       returning 1
     ),
     moved as (update webhook_endpoints w set cursor = ep.upto from ep where w.id = ep.id returning 1)
     select (select count(*) from created) as n, (select count(*) from moved) as m`,
  );
  return Number((rows[0] as { n: string | number } | undefined)?.n ?? 0);
}

interface Claimed {
  endpoint_id: string;
  event_seq: number | string;
  attempts: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_valid: boolean;
}

/**
 * The delivery log's entry for an attempt whose sender died before recording it: found when
 * its lapsed lease is claimed again (a recorded attempt clears the lease).
 */
export const INTERRUPTED_ATTEMPT =
  "interrupted: the process sending this attempt stopped before recording an outcome; sent again once its lease lapsed";

/**
 * Leases up to `max` due deliveries (the head of each lane) for `leaseMs`. A delivery whose
 * lease lapsed was claimed by a process that died mid-attempt: that attempt goes into the log
 * as interrupted (from its claim to its lease's end; the receiver may have acted on it).
 */
export async function claimDeliveries(
  db: Queryable,
  max: number,
  leaseMs = DEFAULT_LEASE_MS,
): Promise<Claimed[]> {
  const st = new Statement();
  return st.rows<Claimed>(
    db,
    `with due as (
       select d.endpoint_id, d.event_seq, d.lease_until as lapsed, d.updated_at as claimed_at
         from webhook_deliveries d
         join webhook_endpoints w on w.id = d.endpoint_id and w.enabled
        where d.status = 'pending' and d.next_attempt_at <= now()
          and (d.lease_until is null or d.lease_until < now())
          and not exists (
            select 1 from webhook_deliveries o
             where o.endpoint_id = d.endpoint_id and o.product_id is not distinct from d.product_id
               and o.status = 'pending' and o.event_seq < d.event_seq)
        order by d.next_attempt_at, d.event_seq
        limit ${st.p(max)}
        for update of d skip locked
     ),
     interrupted as (
       insert into webhook_attempts (endpoint_id, event_seq, at, status_code, duration_ms, error)
       select due.endpoint_id, due.event_seq, due.claimed_at, null,
              greatest(0, round(extract(epoch from due.lapsed - due.claimed_at) * 1000))::int,
              ${st.p(INTERRUPTED_ATTEMPT)}
         from due where due.lapsed is not null
     )
     update webhook_deliveries d set lease_until = now() + make_interval(secs => ${st.p(leaseMs / 1000)}::double precision),
            attempts = d.attempts + 1, updated_at = now()
       from due, webhook_endpoints w
      where d.endpoint_id = due.endpoint_id and d.event_seq = due.event_seq and w.id = d.endpoint_id
     returning d.endpoint_id, d.event_seq, d.attempts, w.url, w.secret, w.previous_secret,
               coalesce(w.previous_secret_expires_at > now(), false) as previous_valid`,
  );
}

export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  retryAfterS?: number;
}

const pinned = checkedLookup();

/**
 * One POST, answered or not within `timeoutMs` (the whole exchange); redirects are not
 * followed. `lookup` checks the addresses the connection goes to (checkedLookup).
 */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  lookup: LookupFunction | undefined,
): Promise<{ status: number; retryAfter: string | undefined }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const fail = (err: Error) =>
      reject(signal.aborted ? Object.assign(new Error("timed out"), { name: "TimeoutError" }) : err);
    const req = request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal,
        ...(lookup ? { lookup } : {}),
      },
      (res) => {
        res.on("error", fail);
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }));
        res.on("close", () => {
          if (!res.complete) fail(new Error("the response was cut off"));
        });
        res.resume();
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

/** One POST of the event to the endpoint, signed; never throws. */
export async function sendWebhook(
  claim: Claimed,
  event: TEvent,
  allowPrivate: boolean,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, "durationMs">): AttemptResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    // Checked again now: the name may resolve elsewhere than when the endpoint was saved.
    await checkWebhookUrl(claim.url, allowPrivate);
    const body = JSON.stringify(event);
    const timestamp = Math.floor(Date.now() / 1000);
    const secrets =
      claim.previous_secret && claim.previous_valid ? [claim.secret, claim.previous_secret] : [claim.secret];
    const res = await post(
      claim.url,
      {
        "content-type": "application/json",
        "user-agent": "Stockroom-Webhooks/1",
        "webhook-id": event.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(secrets, event.id, timestamp, body),
      },
      body,
      timeoutMs,
      allowPrivate ? undefined : pinned,
    );
    const retryAfter = Number(res.retryAfter);
    return done({
      statusCode: res.status,
      error: null,
      ...((res.status === 429 || res.status === 503) && Number.isFinite(retryAfter) && retryAfter > 0
        ? { retryAfterS: retryAfter }
        : {}),
    });
  } catch (err) {
    const e = err as Error;
    return done({
      statusCode: null,
      error: (e.name === "TimeoutError" ? "timed out" : e.message).slice(0, 500),
    });
  }
}

/** Records an attempt and what follows: delivered, retried later, failed, or the endpoint disabled (410). */
export async function recordAttempt(
  db: Queryable,
  claim: Claimed,
  result: AttemptResult,
  retryScale: number,
  final = false,
): Promise<"delivered" | "retry" | "failed" | "disabled"> {
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const gone = result.statusCode === 410;
  const delay = ok || gone || final ? null : retryDelayMs(claim.attempts, retryScale, result.retryAfterS);
  const outcome = ok ? "delivered" : gone ? "disabled" : delay === null ? "failed" : "retry";
  const st = new Statement();
  await st.rows(
    db,
    `with attempt as (
       insert into webhook_attempts (endpoint_id, event_seq, status_code, duration_ms, error)
       values (${st.p(claim.endpoint_id)}, ${st.p(claim.event_seq)}, ${st.p(result.statusCode)},
               ${st.p(result.durationMs)}, ${st.p(result.error)})
     ),
     disable as (
       update webhook_endpoints set enabled = false, updated_at = now(),
              disabled_reason = 'The receiver answered 410 Gone'
        where id = ${st.p(claim.endpoint_id)} and ${st.p(gone)}
     )
     update webhook_deliveries set lease_until = null, updated_at = now(),
            status = ${st.p(outcome === "delivered" ? "delivered" : outcome === "retry" ? "pending" : "failed")}::webhook_delivery_status,
            next_attempt_at = now() + make_interval(secs => ${st.p((delay ?? 0) / 1000)}::double precision)
      where endpoint_id = ${st.p(claim.endpoint_id)} and event_seq = ${st.p(claim.event_seq)}`,
  );
  return outcome;
}

/** The events of the claims, by seq. */
async function eventsBySeq(db: Queryable, seqs: Array<number | string>): Promise<Map<number, TEvent>> {
  const st = new Statement();
  const rows = await st.rows<Parameters<typeof toEvent>[0]>(
    db,
    `${EVENT_SELECT_SQL} where e.seq = any(${st.p(seqs.map(Number))}::bigint[])`,
  );
  return new Map(rows.map((r) => [Number(r.seq), toEvent(r)]));
}

export interface DeliveryOptions {
  retryScale: number;
  allowPrivate: boolean;
  /** Deliveries sent at once per round. */
  concurrency?: number;
  /** An attempt's timeout (ATTEMPT_TIMEOUT_MS) and a claim's lease (DEFAULT_LEASE_MS): keep the lease longer. */
  timeoutMs?: number;
  leaseMs?: number;
  /** Told each attempt's outcome (metrics). */
  onOutcome?: (outcome: "delivered" | "retry" | "failed" | "disabled") => void;
}

/** One round: fan out, claim, send, record. Answers how many attempts it made. */
export async function deliverWebhooks(db: Queryable, options: DeliveryOptions): Promise<number> {
  await fanOutDeliveries(db);
  const claims = await claimDeliveries(db, options.concurrency ?? 16, options.leaseMs);
  if (claims.length === 0) return 0;
  const events = await eventsBySeq(
    db,
    claims.map((c) => c.event_seq),
  );
  await Promise.all(
    claims.map(async (claim) => {
      const event = events.get(Number(claim.event_seq));
      // The event is past retention: nothing left to send.
      const result = event
        ? await sendWebhook(claim, event, options.allowPrivate, options.timeoutMs)
        : { statusCode: null, durationMs: 0, error: "the event is no longer kept" };
      const outcome = await recordAttempt(db, claim, result, options.retryScale, !event);
      options.onOutcome?.(outcome);
    }),
  );
  return claims.length;
}

/** For /metrics: events written and published so far, and each endpoint's oldest pending delivery. */
export async function outboxStatus(db: Queryable) {
  const [head] = await new Statement().rows<{ written: string | number; published: string | number }>(
    db,
    `select ${LAST_SEQ_SQL} as written,
            ${PUBLISHED_SEQ_SQL} as published`,
  );
  const pending = await new Statement().rows<{ endpoint_id: string; age: string | number }>(
    db,
    `select endpoint_id, extract(epoch from now() - min(created_at)) as age
       from webhook_deliveries where status = 'pending' group by endpoint_id`,
  );
  return {
    written: Number(head?.written ?? 0),
    published: Number(head?.published ?? 0),
    oldestPending: pending.map((p) => ({ endpointId: p.endpoint_id, ageSeconds: Number(p.age) })),
  };
}
