import { upsertProducts } from "../../services/products";
import { managerMutation } from "../../trpc";
import {
  upsertProductsMeta,
  ZProductUpsertManyInput,
  ZProductUpsertManyOutput,
} from "./upsert-products.types";

export const upsertProductsRoute = managerMutation
  .meta(upsertProductsMeta)
  .input(ZProductUpsertManyInput)
  .output(ZProductUpsertManyOutput)
  .mutation(({ ctx, input }) => upsertProducts(ctx.db, input.items, input.onError));
