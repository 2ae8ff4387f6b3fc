import { defineOperation, type Meta } from "../../operation";
import { updateWebhook } from "../../services/webhooks";
import { ZWebhookEndpoint, ZWebhookUpdateInput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "PUT",
    path: "/webhooks/{id}",
    tags: ["webhooks"],
    summary: "Change a webhook endpoint",
    description:
      "Role admin. Any subset of url, events, description, enabled; enabling clears `disabledReason`.",
  },
  errors: ["NOT_FOUND", "WEBHOOK_URL_REFUSED"],
  errorExamples: {
    VALIDATION_FAILED: "events: Must name at least one event type, or *",
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
    WEBHOOK_URL_REFUSED:
      "The webhook host intranet.local resolves to 10.0.0.7, a private, loopback or link-local address",
  },
  successStatus: 200,
};

export const updateWebhookOperation = defineOperation({
  name: "webhooks.update",
  meta,
  input: ZWebhookUpdateInput,
  output: ZWebhookEndpoint,
  minRole: "admin",
  kind: "write",
  handler: (ctx, { id, ...patch }) => updateWebhook(ctx.db, id, patch, ctx.rt.webhooksAllowPrivate ?? false),
});
