import { defineOperation } from "../../operation";
import { deleteStore } from "../../services/stores";
import { deleteStoreMeta, ZStoreDeleteInput, ZStoreDeleteOutput } from "./delete-store.types";

export const deleteStoreOperation = defineOperation({
  name: "stores.delete",
  meta: deleteStoreMeta,
  input: ZStoreDeleteInput,
  output: ZStoreDeleteOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) => deleteStore(ctx.db, input.id),
});
