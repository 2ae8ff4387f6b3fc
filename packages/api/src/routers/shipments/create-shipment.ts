import { defineOperation } from "../../operation";
import { createShipment } from "../../services/shipments";
import { createShipmentMeta, ZCreateShipmentInput, ZCreateShipmentOutput } from "./create-shipment.types";

export const createShipmentOperation = defineOperation({
  name: "shipments.create",
  meta: createShipmentMeta,
  input: ZCreateShipmentInput,
  output: ZCreateShipmentOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => createShipment(ctx.db, input, ctx.auth.id),
});
