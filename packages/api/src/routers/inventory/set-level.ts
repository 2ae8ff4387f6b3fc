import { setLevel, stockDoor } from "../../services/stock";
import { managerSingleStatementMutation } from "../../trpc";
import { observeStock } from "./observe";
import { setLevelMeta, ZSetLevelInput, ZSetLevelOutput } from "./set-level.types";

export const setLevelRoute = managerSingleStatementMutation
  .meta(setLevelMeta)
  .input(ZSetLevelInput)
  .output(ZSetLevelOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "count", async () => (await setLevel(stockDoor(ctx), input, ctx.auth.id)).level),
  );
