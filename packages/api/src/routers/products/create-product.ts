import { defineOperation } from "../../operation";
import { createProduct } from "../../services/products";
import { createProductMeta, ZProductCreateInput, ZProductCreateOutput } from "./create-product.types";

export const createProductOperation = defineOperation({
  name: "products.create",
  meta: createProductMeta,
  input: ZProductCreateInput,
  output: ZProductCreateOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) => createProduct(ctx.db, input),
});
