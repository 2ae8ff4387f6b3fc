import { getMovement } from "../../services/stock-queries";
import { viewerProcedure } from "../../trpc";
import { getMovementMeta, ZMovementGetInput, ZMovementGetOutput } from "./get-movement.types";

export const getMovementRoute = viewerProcedure
  .meta(getMovementMeta)
  .input(ZMovementGetInput)
  .output(ZMovementGetOutput)
  .query(({ ctx, input }) => getMovement(ctx.db, input.id));
