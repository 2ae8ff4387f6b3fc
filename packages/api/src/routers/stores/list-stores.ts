import { listStores } from "../../services/stores";
import { viewerProcedure } from "../../trpc";
import { listStoresMeta, ZStoreListInput, ZStoreListOutput } from "./list-stores.types";

export const listStoresRoute = viewerProcedure
  .meta(listStoresMeta)
  .input(ZStoreListInput)
  .output(ZStoreListOutput)
  .query(({ ctx, input }) => listStores(ctx.db, input));
