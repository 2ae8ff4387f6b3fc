import { deleteProduct } from "../../services/products";
import { managerMutation } from "../../trpc";
import { deleteProductMeta, ZProductDeleteInput, ZProductDeleteOutput } from "./delete-product.types";

export const deleteProductRoute = managerMutation
  .meta(deleteProductMeta)
  .input(ZProductDeleteInput)
  .output(ZProductDeleteOutput)
  .mutation(({ ctx, input }) => deleteProduct(ctx.db, input.id));
