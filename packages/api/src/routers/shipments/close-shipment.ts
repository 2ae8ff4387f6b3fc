import { defineOperation } from "../../operation";
import { closeShipment } from "../../services/shipments";
import { stockDoor } from "../../services/stock";
import { closeShipmentMeta, ZCloseShipmentInput, ZCloseShipmentOutput } from "./close-shipment.types";

export const closeShipmentOperation = defineOperation({
  name: "shipments.close",
  meta: closeShipmentMeta,
  input: ZCloseShipmentInput,
  output: ZCloseShipmentOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => closeShipment(ctx.db, stockDoor(ctx), input.id, input.reason, ctx.auth.id),
});
