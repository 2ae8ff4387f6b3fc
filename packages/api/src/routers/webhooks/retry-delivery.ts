import { defineOperation, type Meta } from "../../operation";
import { retryDelivery } from "../../services/webhooks";
import { ZDelivery, ZDeliveryRetryInput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "POST",
    path: "/webhooks/{id}/deliveries/{eventId}/retry",
    tags: ["webhooks"],
    summary: "Retry a delivery now",
    description: "Role admin. The delivery turns pending, due now; its earlier attempts stay on record.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "eventId: Must be a UUID",
    NOT_FOUND:
      "Delivery of event 3f2b8c1d-9e4a-4b7c-8d6e-5f4a3b2c1d0e to webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 200,
};

export const retryDeliveryOperation = defineOperation({
  name: "webhooks.retry",
  meta,
  input: ZDeliveryRetryInput,
  output: ZDelivery,
  minRole: "admin",
  kind: "write",
  handler: (ctx, { id, eventId }) => retryDelivery(ctx.db, id, eventId),
});
