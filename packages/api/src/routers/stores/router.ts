import { createRouter } from "../../trpc";
import { createStoreRoute } from "./create-store";
import { deleteStoreRoute } from "./delete-store";
import { getStoreRoute } from "./get-store";
import { listStoresRoute } from "./list-stores";
import { updateStoreRoute } from "./update-store";

export const storesRouter = createRouter({
  list: listStoresRoute,
  get: getStoreRoute,
  create: createStoreRoute,
  update: updateStoreRoute,
  delete: deleteStoreRoute,
});
