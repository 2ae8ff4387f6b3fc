import { defineOperation } from "../../operation";
import { getMovement } from "../../services/stock-queries";
import { getMovementMeta, ZMovementGetInput, ZMovementGetOutput } from "./get-movement.types";

export const getMovementOperation = defineOperation({
  name: "movements.get",
  meta: getMovementMeta,
  input: ZMovementGetInput,
  output: ZMovementGetOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => getMovement(ctx.db, input.id),
});
