import { defineOperation } from "../../operation";
import { setLevel, stockDoor } from "../../services/stock";
import { observeStock } from "./observe";
import { setLevelMeta, ZSetLevelInput, ZSetLevelOutput } from "./set-level.types";

export const setLevelOperation = defineOperation({
  name: "inventory.setLevel",
  meta: setLevelMeta,
  input: ZSetLevelInput,
  output: ZSetLevelOutput,
  minRole: "manager",
  kind: "statement",
  handler: (ctx, input) =>
    observeStock(ctx, "count", async () => (await setLevel(stockDoor(ctx), input, ctx.auth.id)).level),
});
