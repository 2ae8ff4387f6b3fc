import { defineOperation } from "../../operation";
import { getShipment } from "../../services/shipments";
import { getShipmentMeta, ZGetShipmentInput, ZGetShipmentOutput } from "./get-shipment.types";

export const getShipmentOperation = defineOperation({
  name: "shipments.get",
  meta: getShipmentMeta,
  input: ZGetShipmentInput,
  output: ZGetShipmentOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => getShipment(ctx.db, input.id),
});
