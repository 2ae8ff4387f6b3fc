import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStore, ZStoreId, ZStoreName } from "./store.types";

export const ZStoreUpdateInput = z
  .strictObject({ id: ZStoreId, name: ZStoreName.optional() })
  .meta({ example: { id: "store1", name: "Downtown (Main St)" } });
export const ZStoreUpdateOutput = ZStore;
export const updateStoreMeta: Meta = {
  openapi: {
    method: "PUT",
    path: "/stores/{id}",
    tags: ["stores"],
    summary: "Rename a store",
    description: "Role manager.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: { VALIDATION_FAILED: "name: Must not be empty", NOT_FOUND: "Store store1 not found" },
};
