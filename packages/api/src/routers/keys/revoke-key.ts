import { defineOperation } from "../../operation";
import { revokeKey } from "../../services/keys";
import { revokeKeyMeta, ZKeyRevokeInput, ZKeyRevokeOutput } from "./revoke-key.types";

export const revokeKeyOperation = defineOperation({
  name: "keys.revoke",
  meta: revokeKeyMeta,
  input: ZKeyRevokeInput,
  output: ZKeyRevokeOutput,
  minRole: "admin",
  kind: "write",
  handler: async (ctx, input) => {
    await revokeKey(ctx.db, input.id);
    ctx.rt.keys.evict(input.id);
  },
});
