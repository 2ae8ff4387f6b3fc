import { defineOperation } from "../../operation";
import { cancelShipment } from "../../services/shipments";
import { cancelShipmentMeta, ZCancelShipmentInput, ZCancelShipmentOutput } from "./cancel-shipment.types";

export const cancelShipmentOperation = defineOperation({
  name: "shipments.cancel",
  meta: cancelShipmentMeta,
  input: ZCancelShipmentInput,
  output: ZCancelShipmentOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => cancelShipment(ctx.db, input.id),
});
