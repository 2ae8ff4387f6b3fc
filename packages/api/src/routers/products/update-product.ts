import { updateProduct } from "../../services/products";
import { managerMutation } from "../../trpc";
import { updateProductMeta, ZProductUpdateInput, ZProductUpdateOutput } from "./update-product.types";

export const updateProductRoute = managerMutation
  .meta(updateProductMeta)
  .input(ZProductUpdateInput)
  .output(ZProductUpdateOutput)
  .mutation(({ ctx, input: { id, ...patch } }) => updateProduct(ctx.db, id, patch));
