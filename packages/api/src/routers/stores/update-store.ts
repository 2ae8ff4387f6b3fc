import { updateStore } from "../../services/stores";
import { managerMutation } from "../../trpc";
import { updateStoreMeta, ZStoreUpdateInput, ZStoreUpdateOutput } from "./update-store.types";

export const updateStoreRoute = managerMutation
  .meta(updateStoreMeta)
  .input(ZStoreUpdateInput)
  .output(ZStoreUpdateOutput)
  .mutation(({ ctx, input: { id, ...patch } }) => updateStore(ctx.db, id, patch));
