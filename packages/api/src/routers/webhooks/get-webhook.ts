import { defineOperation, type Meta } from "../../operation";
import { getWebhook } from "../../services/webhooks";
import { ZWebhookEndpoint, ZWebhookId } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "GET",
    path: "/webhooks/{id}",
    tags: ["webhooks"],
    summary: "Get a webhook endpoint",
    description: "Role admin.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 200,
};

export const getWebhookOperation = defineOperation({
  name: "webhooks.get",
  meta,
  input: ZWebhookId,
  output: ZWebhookEndpoint,
  minRole: "admin",
  kind: "read",
  handler: (ctx, { id }) => getWebhook(ctx.db, id),
});
