import { createKey } from "../../services/keys";
import { adminMutation } from "../../trpc";
import { createKeyMeta, ZKeyCreateInput, ZKeyCreateOutput } from "./create-key.types";

export const createKeyRoute = adminMutation
  .meta(createKeyMeta)
  .input(ZKeyCreateInput)
  .output(ZKeyCreateOutput)
  .mutation(({ ctx, input }) => createKey(ctx.db, input));
