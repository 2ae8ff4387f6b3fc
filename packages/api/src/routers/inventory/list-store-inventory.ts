import { listStoreInventory } from "../../services/stock-queries";
import { viewerProcedure } from "../../trpc";
import {
  listStoreInventoryMeta,
  ZStoreInventoryInput,
  ZStoreInventoryOutput,
} from "./list-store-inventory.types";

export const listStoreInventoryRoute = viewerProcedure
  .meta(listStoreInventoryMeta)
  .input(ZStoreInventoryInput)
  .output(ZStoreInventoryOutput)
  .query(({ ctx, input }) => listStoreInventory(ctx.db, input));
