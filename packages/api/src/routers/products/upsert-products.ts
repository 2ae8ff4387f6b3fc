import { defineOperation } from "../../operation";
import { upsertProducts } from "../../services/products";
import {
  upsertProductsMeta,
  ZProductUpsertManyInput,
  ZProductUpsertManyOutput,
} from "./upsert-products.types";

export const upsertProductsOperation = defineOperation({
  name: "products.upsertMany",
  meta: upsertProductsMeta,
  input: ZProductUpsertManyInput,
  output: ZProductUpsertManyOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) => upsertProducts(ctx.db, input.items, input.onError),
});
