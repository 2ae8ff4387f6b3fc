import { getStore } from "../../services/stores";
import { viewerProcedure } from "../../trpc";
import { getStoreMeta, ZStoreGetInput, ZStoreGetOutput } from "./get-store.types";

export const getStoreRoute = viewerProcedure
  .meta(getStoreMeta)
  .input(ZStoreGetInput)
  .output(ZStoreGetOutput)
  .query(({ ctx, input }) => getStore(ctx.db, input.id));
