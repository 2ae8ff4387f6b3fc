import { operations } from "./operations";
import { createOperationsRouter } from "./trpc";

export const appRouter = createOperationsRouter(operations);

export type AppRouter = typeof appRouter;
