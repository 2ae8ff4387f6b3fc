import { revokeKey } from "../../services/keys";
import { adminMutation } from "../../trpc";
import { revokeKeyMeta, ZKeyRevokeInput, ZKeyRevokeOutput } from "./revoke-key.types";

export const revokeKeyRoute = adminMutation
  .meta(revokeKeyMeta)
  .input(ZKeyRevokeInput)
  .output(ZKeyRevokeOutput)
  .mutation(async ({ ctx, input }) => {
    await revokeKey(ctx.db, input.id);
    ctx.rt.keys.evict(input.id);
  });
