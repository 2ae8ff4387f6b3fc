import { defineOperation } from "../../operation";
import { updateProduct } from "../../services/products";
import { updateProductMeta, ZProductUpdateInput, ZProductUpdateOutput } from "./update-product.types";

export const updateProductOperation = defineOperation({
  name: "products.update",
  meta: updateProductMeta,
  input: ZProductUpdateInput,
  output: ZProductUpdateOutput,
  minRole: "manager",
  kind: "write",
  handler: (ctx, { id, ...patch }) => updateProduct(ctx.db, id, patch),
});
