import { createStore } from "../../services/stores";
import { managerMutation } from "../../trpc";
import { createStoreMeta, ZStoreCreateInput, ZStoreCreateOutput } from "./create-store.types";

export const createStoreRoute = managerMutation
  .meta(createStoreMeta)
  .input(ZStoreCreateInput)
  .output(ZStoreCreateOutput)
  .mutation(({ ctx, input }) => createStore(ctx.db, input));
