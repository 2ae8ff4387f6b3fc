import { setLevel } from "../../services/stock";
import { managerMutation } from "../../trpc";
import { observeStock } from "./observe";
import { setLevelMeta, ZSetLevelInput, ZSetLevelOutput } from "./set-level.types";

export const setLevelRoute = managerMutation
  .meta(setLevelMeta)
  .input(ZSetLevelInput)
  .output(ZSetLevelOutput)
  .mutation(({ ctx, input }) =>
    observeStock(ctx, "count", async () => (await setLevel(ctx.db, input, ctx.auth.id)).level),
  );
