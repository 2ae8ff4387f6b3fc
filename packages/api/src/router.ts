import { keysRouter } from "./routers/keys/router";
import { productsRouter } from "./routers/products/router";
import { storesRouter } from "./routers/stores/router";
import { createRouter } from "./trpc";

export const appRouter = createRouter({
  products: productsRouter,
  stores: storesRouter,
  keys: keysRouter,
});

export type AppRouter = typeof appRouter;
