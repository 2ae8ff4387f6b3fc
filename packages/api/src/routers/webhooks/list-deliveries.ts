import { defineOperation, type Meta } from "../../operation";
import { listDeliveries } from "../../services/webhooks";
import { ZDeliveryList, ZDeliveryListInput } from "./webhook.types";

const meta: Meta = {
  openapi: {
    method: "GET",
    path: "/webhooks/{id}/deliveries",
    tags: ["webhooks"],
    summary: "A webhook's deliveries",
    description:
      "Role admin. Newest event first, each with its attempts (time, status code, duration, error).",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: 'status: Invalid option: expected one of "pending"|"delivered"|"failed"',
    NOT_FOUND: "Webhook endpoint 2d7e1f4a-8b3c-4e5d-9f6a-1b2c3d4e5f60 not found",
  },
  successStatus: 200,
};

export const listDeliveriesOperation = defineOperation({
  name: "webhooks.deliveries",
  meta,
  input: ZDeliveryListInput,
  output: ZDeliveryList,
  minRole: "admin",
  kind: "read",
  handler: (ctx, input) => listDeliveries(ctx.db, input),
});
