import { defineOperation, type Meta } from "../../operation";
import { listWebhooks } from "../../services/webhooks";
import { ZWebhookList, ZWebhookListInput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "GET",
    path: "/webhooks",
    tags: ["webhooks"],
    summary: "List webhook endpoints",
    description: "Role admin. Oldest first.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "limit: Too big: expected number to be <=100" },
  successStatus: 200,
};

export const listWebhooksOperation = defineOperation({
  name: "webhooks.list",
  meta,
  input: ZWebhookListInput,
  output: ZWebhookList,
  minRole: "admin",
  kind: "read",
  handler: (ctx, input) => listWebhooks(ctx.db, input),
});
