import { defineOperation } from "../../operation";
import { listStoreInventory } from "../../services/stock-queries";
import {
  listStoreInventoryMeta,
  ZStoreInventoryInput,
  ZStoreInventoryOutput,
} from "./list-store-inventory.types";

export const listStoreInventoryOperation = defineOperation({
  name: "inventory.listByStore",
  meta: listStoreInventoryMeta,
  input: ZStoreInventoryInput,
  output: ZStoreInventoryOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listStoreInventory(ctx.db, input),
});
