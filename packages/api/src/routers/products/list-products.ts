import { defineOperation } from "../../operation";
import { listProducts } from "../../services/products";
import { listProductsMeta, ZProductListInput, ZProductListOutput } from "./list-products.types";

export const listProductsOperation = defineOperation({
  name: "products.list",
  meta: listProductsMeta,
  input: ZProductListInput,
  output: ZProductListOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listProducts(ctx.db, input),
});
