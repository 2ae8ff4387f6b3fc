import { z } from "zod";
import { ZOffsetPage, ZPaging, ZTimestamp, ZUuid, zText } from "../../schemas/common";
import { EVENT_TYPES } from "../events/event.types";

const ENDPOINT_EXAMPLE = {
  id: "2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60",
  url: "https://shop.example.com/hooks/stockroom",
  events: ["stock.low", "stock.restored"],
  description: "storefront availability",
  enabled: true,
  disabledReason: null,
  createdAt: "2026-01-05T10:00:00.000Z",
  updatedAt: "2026-01-05T10:00:00.000Z",
};

export const ZWebhookEvents = z
  .array(z.enum([...EVENT_TYPES.filter((t) => t !== "webhook.test"), "*"]))
  .min(1, "Must name at least one event type, or *")
  .max(20)
  .meta({ description: 'Event types to send, or ["*"] for all', example: ["stock.low", "stock.restored"] });

export const ZWebhookUrl = z
  .url({ message: "Must be an absolute URL" })
  .max(2000, "Must be at most 2000 characters")
  .meta({
    description:
      "https only, and not resolving to a private, loopback or link-local address (unless the server runs with STOCKROOM_WEBHOOK_ALLOW_PRIVATE=true)",
    example: "https://shop.example.com/hooks/stockroom",
  });

export const ZWebhookEndpoint = z
  .object({
    id: ZUuid,
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .meta({ description: "Why the server disabled it (the receiver answered 410), else null" }),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .meta({ id: "WebhookEndpoint", example: ENDPOINT_EXAMPLE });
export type TWebhookEndpoint = z.infer<typeof ZWebhookEndpoint>;

export const ZWebhookSecret = z.string().meta({
  description: "whsec_ + base64 of 24 random bytes. Shown this once.",
  example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
});

export const ZWebhookCreateInput = z
  .strictObject({
    url: ZWebhookUrl,
    events: ZWebhookEvents,
    description: zText(1, 255).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({
    example: {
      url: ENDPOINT_EXAMPLE.url,
      events: ENDPOINT_EXAMPLE.events,
      description: "storefront availability",
    },
  });
export const ZWebhookCreated = ZWebhookEndpoint.extend({ secret: ZWebhookSecret });

export const ZWebhookId = z.strictObject({ id: ZUuid });

export const ZWebhookUpdateInput = z
  .strictObject({
    id: ZUuid,
    url: ZWebhookUrl.optional(),
    events: ZWebhookEvents.optional(),
    description: zText(1, 255).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ example: { id: ENDPOINT_EXAMPLE.id, enabled: true } });

export const ZWebhookList = ZOffsetPage(ZWebhookEndpoint);
export const ZWebhookListInput = z.strictObject({ ...ZPaging }).default({ limit: 20, offset: 0 });

export const ZRotatedSecret = z.object({
  id: ZUuid,
  secret: ZWebhookSecret,
  previousSecretExpiresAt: ZTimestamp.meta({ description: "Until then the old secret signs too" }),
});

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

export const ZDeliveryAttempt = z.object({
  at: ZTimestamp,
  statusCode: z
    .number()
    .int()
    .nullable()
    .meta({ description: "null: no answer (timeout, refused, network)" }),
  durationMs: z.number().int(),
  error: z.string().nullable(),
});

export const ZDelivery = z
  .object({
    endpointId: ZUuid,
    eventId: ZUuid,
    sequence: z.number().int(),
    type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    nextAttemptAt: ZTimestamp.nullable().meta({ description: "When a pending delivery is tried next" }),
    attempts: z.array(ZDeliveryAttempt),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .meta({
    id: "WebhookDelivery",
    example: {
      endpointId: ENDPOINT_EXAMPLE.id,
      eventId: "3f2b8c1d-9e4a-4b7c-8d6e-5f4a3b2c1d0e",
      sequence: 1042,
      type: "stock.low",
      status: "pending",
      nextAttemptAt: "2026-01-05T10:05:05.000Z",
      attempts: [{ at: "2026-01-05T10:00:05.000Z", statusCode: 503, durationMs: 84, error: null }],
      createdAt: "2026-01-05T10:00:00.000Z",
      updatedAt: "2026-01-05T10:00:05.000Z",
    },
  });

export const ZDeliveryListInput = z
  .strictObject({ id: ZUuid, status: z.enum(DELIVERY_STATUSES).optional(), ...ZPaging })
  .meta({ example: { id: ENDPOINT_EXAMPLE.id, status: "failed" } });
export const ZDeliveryList = ZOffsetPage(ZDelivery);
export const ZDeliveryRetryInput = z.strictObject({ id: ZUuid, eventId: ZUuid });
export const ZWebhookTestOutput = z.object({ eventId: ZUuid, sequence: z.number().int() });
