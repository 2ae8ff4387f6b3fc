import { z } from "zod";
import { defineOperation, type Meta } from "../../operation";
import { deleteWebhook } from "../../services/webhooks";
import { ZWebhookId } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "DELETE",
    path: "/webhooks/{id}",
    tags: ["webhooks"],
    summary: "Delete a webhook endpoint",
    description: "Role admin. Its deliveries and their attempts go with it.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 204,
};

export const deleteWebhookOperation = defineOperation({
  name: "webhooks.delete",
  meta,
  input: ZWebhookId,
  output: z.void(),
  minRole: "admin",
  kind: "write",
  handler: (ctx, { id }) => deleteWebhook(ctx.db, id),
});
