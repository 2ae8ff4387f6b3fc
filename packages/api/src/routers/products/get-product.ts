import { defineOperation } from "../../operation";
import { getProduct } from "../../services/products";
import { getProductMeta, ZProductGetInput, ZProductGetOutput } from "./get-product.types";

export const getProductOperation = defineOperation({
  name: "products.get",
  meta: getProductMeta,
  input: ZProductGetInput,
  output: ZProductGetOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => getProduct(ctx.db, input.id),
});
