import { defineOperation } from "../../operation";
import { shipShipment } from "../../services/shipments";
import { stockDoor } from "../../services/stock";
import { shipShipmentMeta, ZShipShipmentInput, ZShipShipmentOutput } from "./ship-shipment.types";

export const shipShipmentOperation = defineOperation({
  name: "shipments.ship",
  meta: shipShipmentMeta,
  input: ZShipShipmentInput,
  output: ZShipShipmentOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => shipShipment(ctx.db, stockDoor(ctx), input.id, ctx.auth.id),
});
