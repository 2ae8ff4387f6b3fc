import { defineOperation } from "../../operation";
import { listShipments } from "../../services/shipments";
import { listShipmentsMeta, ZListShipmentsInput, ZListShipmentsOutput } from "./list-shipments.types";

export const listShipmentsOperation = defineOperation({
  name: "shipments.list",
  meta: listShipmentsMeta,
  input: ZListShipmentsInput,
  output: ZListShipmentsOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listShipments(ctx.db, input),
});
