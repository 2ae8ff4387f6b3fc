import { defineOperation } from "../../operation";
import { listStores } from "../../services/stores";
import { listStoresMeta, ZStoreListInput, ZStoreListOutput } from "./list-stores.types";

export const listStoresOperation = defineOperation({
  name: "stores.list",
  meta: listStoresMeta,
  input: ZStoreListInput,
  output: ZStoreListOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listStores(ctx.db, input),
});
