import { defineOperation } from "../../operation";
import { receiveShipment } from "../../services/shipments";
import { stockDoor } from "../../services/stock";
import { receiveShipmentMeta, ZReceiveShipmentInput, ZReceiveShipmentOutput } from "./receive-shipment.types";

export const receiveShipmentOperation = defineOperation({
  name: "shipments.receive",
  meta: receiveShipmentMeta,
  input: ZReceiveShipmentInput,
  output: ZReceiveShipmentOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, { id, ...receipt }) => receiveShipment(ctx.db, stockDoor(ctx), id, receipt, ctx.auth.id),
});
