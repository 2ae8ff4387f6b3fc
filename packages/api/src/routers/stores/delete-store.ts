import { deleteStore } from "../../services/stores";
import { managerMutation } from "../../trpc";
import { deleteStoreMeta, ZStoreDeleteInput, ZStoreDeleteOutput } from "./delete-store.types";

export const deleteStoreRoute = managerMutation
  .meta(deleteStoreMeta)
  .input(ZStoreDeleteInput)
  .output(ZStoreDeleteOutput)
  .mutation(({ ctx, input }) => deleteStore(ctx.db, input.id));
