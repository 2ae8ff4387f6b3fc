import { listMovements } from "../../services/stock-queries";
import { viewerProcedure } from "../../trpc";
import { listMovementsMeta, ZMovementListInput, ZMovementListOutput } from "./list-movements.types";

export const listMovementsRoute = viewerProcedure
  .meta(listMovementsMeta)
  .input(ZMovementListInput)
  .output(ZMovementListOutput)
  .query(({ ctx, input }) => listMovements(ctx.db, input));
