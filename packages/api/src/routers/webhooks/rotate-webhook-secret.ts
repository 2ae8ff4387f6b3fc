import { defineOperation, type Meta } from "../../operation";
import { rotateWebhookSecret } from "../../services/webhooks";
import { ZRotatedSecret, ZWebhookId } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "POST",
    path: "/webhooks/{id}/rotate-secret",
    tags: ["webhooks"],
    summary: "Rotate a webhook's secret",
    description:
      "Role admin. Answers the new secret, once; for 24 hours deliveries are signed with both (two `v1,` signatures).",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 200,
};

export const rotateWebhookSecretOperation = defineOperation({
  name: "webhooks.rotateSecret",
  meta,
  input: ZWebhookId,
  output: ZRotatedSecret,
  minRole: "admin",
  kind: "write",
  handler: (ctx, { id }) => rotateWebhookSecret(ctx.db, id),
});
