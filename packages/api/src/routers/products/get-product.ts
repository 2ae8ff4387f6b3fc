import { getProduct } from "../../services/products";
import { viewerProcedure } from "../../trpc";
import { getProductMeta, ZProductGetInput, ZProductGetOutput } from "./get-product.types";

export const getProductRoute = viewerProcedure
  .meta(getProductMeta)
  .input(ZProductGetInput)
  .output(ZProductGetOutput)
  .query(({ ctx, input }) => getProduct(ctx.db, input.id));
