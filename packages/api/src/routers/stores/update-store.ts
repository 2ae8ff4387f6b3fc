import { defineOperation } from "../../operation";
import { updateStore } from "../../services/stores";
import { updateStoreMeta, ZStoreUpdateInput, ZStoreUpdateOutput } from "./update-store.types";

export const updateStoreOperation = defineOperation({
  name: "stores.update",
  meta: updateStoreMeta,
  input: ZStoreUpdateInput,
  output: ZStoreUpdateOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, { id, ...patch }) => updateStore(ctx.db, id, patch),
});
