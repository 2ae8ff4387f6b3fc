import { createProduct } from "../../services/products";
import { managerMutation } from "../../trpc";
import { createProductMeta, ZProductCreateInput, ZProductCreateOutput } from "./create-product.types";

export const createProductRoute = managerMutation
  .meta(createProductMeta)
  .input(ZProductCreateInput)
  .output(ZProductCreateOutput)
  .mutation(({ ctx, input }) => createProduct(ctx.db, input));
