import { defineOperation, type Meta } from "../../operation";
import { createWebhook } from "../../services/webhooks";
import { ZWebhookCreated, ZWebhookCreateInput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "POST",
    path: "/webhooks",
    tags: ["webhooks"],
    summary: "Create a webhook endpoint",
    description:
      "Role admin. The answer holds the signing secret, once. The endpoint receives events published from now on.",
  },
  errors: ["WEBHOOK_URL_REFUSED"],
  errorExamples: {
    VALIDATION_FAILED: "url: Must be an absolute URL",
    WEBHOOK_URL_REFUSED: "Webhook URLs must be https: http://shop.example.com/hooks",
  },
  successStatus: 201,
};

export const createWebhookOperation = defineOperation({
  name: "webhooks.create",
  meta,
  input: ZWebhookCreateInput,
  output: ZWebhookCreated,
  minRole: "admin",
  kind: "write",
  handler: (ctx, input) => createWebhook(ctx.db, input, ctx.rt.webhooksAllowPrivate ?? false),
});
