import { listKeys } from "../../services/keys";
import { adminProcedure } from "../../trpc";
import { listKeysMeta, ZKeyListInput, ZKeyListOutput } from "./list-keys.types";

export const listKeysRoute = adminProcedure
  .meta(listKeysMeta)
  .input(ZKeyListInput)
  .output(ZKeyListOutput)
  .query(({ ctx }) => listKeys(ctx.db));
