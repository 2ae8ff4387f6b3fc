import { defineOperation } from "../../operation";
import { setLevel } from "../../services/stock";
import { observeStock } from "./observe";
import { setLevelMeta, ZSetLevelInput, ZSetLevelOutput } from "./set-level.types";

export const setLevelOperation = defineOperation({
  name: "inventory.setLevel",
  meta: setLevelMeta,
  input: ZSetLevelInput,
  output: ZSetLevelOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) =>
    observeStock(ctx, "count", async () => (await setLevel(ctx.db, input, ctx.auth.id)).level),
});
