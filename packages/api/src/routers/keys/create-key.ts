import { defineOperation } from "../../operation";
import { createKey } from "../../services/keys";
import { createKeyMeta, ZKeyCreateInput, ZKeyCreateOutput } from "./create-key.types";

export const createKeyOperation = defineOperation({
  name: "keys.create",
  meta: createKeyMeta,
  input: ZKeyCreateInput,
  output: ZKeyCreateOutput,
  minRole: "admin",
  kind: "write",
  handler: (ctx, input) => createKey(ctx.db, input),
});
