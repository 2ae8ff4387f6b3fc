import { listProducts } from "../../services/products";
import { viewerProcedure } from "../../trpc";
import { listProductsMeta, ZProductListInput, ZProductListOutput } from "./list-products.types";

export const listProductsRoute = viewerProcedure
  .meta(listProductsMeta)
  .input(ZProductListInput)
  .output(ZProductListOutput)
  .query(({ ctx, input }) => listProducts(ctx.db, input));
