import { defineOperation } from "../../operation";
import { deleteProduct } from "../../services/products";
import { deleteProductMeta, ZProductDeleteInput, ZProductDeleteOutput } from "./delete-product.types";

export const deleteProductOperation = defineOperation({
  name: "products.delete",
  meta: deleteProductMeta,
  input: ZProductDeleteInput,
  output: ZProductDeleteOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, input) => deleteProduct(ctx.db, input.id),
});
