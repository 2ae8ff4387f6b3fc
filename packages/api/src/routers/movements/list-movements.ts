import { defineOperation } from "../../operation";
import { listMovements } from "../../services/stock-queries";
import { listMovementsMeta, ZMovementListInput, ZMovementListOutput } from "./list-movements.types";

export const listMovementsOperation = defineOperation({
  name: "movements.list",
  meta: listMovementsMeta,
  input: ZMovementListInput,
  output: ZMovementListOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listMovements(ctx.db, input),
});
