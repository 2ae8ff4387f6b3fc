import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStore, ZStoreId } from "./store.types";

export const ZStoreGetInput = z.strictObject({ id: ZStoreId });
export const ZStoreGetOutput = ZStore;
export const getStoreMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/stores/{id}",
    tags: ["stores"],
    summary: "Get a store",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)",
    NOT_FOUND: "Store store1 not found",
  },
};
