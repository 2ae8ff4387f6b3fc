import { createRouter } from "../../trpc";
import { createProductRoute } from "./create-product";
import { deleteProductRoute } from "./delete-product";
import { getProductRoute } from "./get-product";
import { listProductsRoute } from "./list-products";
import { updateProductRoute } from "./update-product";
import { upsertProductsRoute } from "./upsert-products";

export const productsRouter = createRouter({
  list: listProductsRoute,
  get: getProductRoute,
  create: createProductRoute,
  update: updateProductRoute,
  delete: deleteProductRoute,
  upsertMany: upsertProductsRoute,
});
