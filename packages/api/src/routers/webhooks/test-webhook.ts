import { defineOperation, type Meta } from "../../operation";
import { testWebhook } from "../../services/webhooks";
import { ZWebhookId, ZWebhookTestOutput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "POST",
    path: "/webhooks/{id}/test",
    tags: ["webhooks"],
    summary: "Send a test event",
    description:
      "Role admin. Writes a `webhook.test` event and delivers it to this endpoint only; follow it in the deliveries.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 201,
};

export const testWebhookOperation = defineOperation({
  name: "webhooks.test",
  meta,
  input: ZWebhookId,
  output: ZWebhookTestOutput,
  minRole: "admin",
  kind: "write",
  handler: (ctx, { id }) => testWebhook(ctx.db, id),
});
