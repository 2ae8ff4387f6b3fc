import { inventoryRouter } from "./routers/inventory/router";
import { keysRouter } from "./routers/keys/router";
import { movementsRouter } from "./routers/movements/router";
import { productsRouter } from "./routers/products/router";
import { storesRouter } from "./routers/stores/router";
import { createRouter } from "./trpc";

export const appRouter = createRouter({
  products: productsRouter,
  stores: storesRouter,
  inventory: inventoryRouter,
  movements: movementsRouter,
  keys: keysRouter,
});

export type AppRouter = typeof appRouter;
