import { defineOperation } from "../../operation";
import { createStore } from "../../services/stores";
import { createStoreMeta, ZStoreCreateInput, ZStoreCreateOutput } from "./create-store.types";

export const createStoreOperation = defineOperation({
  name: "stores.create",
  meta: createStoreMeta,
  input: ZStoreCreateInput,
  output: ZStoreCreateOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) => createStore(ctx.db, input),
});
