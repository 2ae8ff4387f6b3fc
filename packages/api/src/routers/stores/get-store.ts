import { defineOperation } from "../../operation";
import { getStore } from "../../services/stores";
import { getStoreMeta, ZStoreGetInput, ZStoreGetOutput } from "./get-store.types";

export const getStoreOperation = defineOperation({
  name: "stores.get",
  meta: getStoreMeta,
  input: ZStoreGetInput,
  output: ZStoreGetOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => getStore(ctx.db, input.id),
});
