import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStore, ZStoreId, ZStoreName } from "./store.types";

export const ZStoreCreateInput = z
  .strictObject({ id: ZStoreId, name: ZStoreName })
  .meta({ example: { id: "store1", name: "Downtown" } });
export const ZStoreCreateOutput = ZStore;
export const createStoreMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/stores",
    tags: ["stores"],
    summary: "Create a store",
    description: "Role manager. `id` is a lowercase slug chosen by you.",
  },
  errors: ["STORE_EXISTS"],
  errorExamples: { VALIDATION_FAILED: "id: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)" },
  successStatus: 201,
};
