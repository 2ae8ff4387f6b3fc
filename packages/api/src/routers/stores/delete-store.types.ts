import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId } from "./store.types";

export const ZStoreDeleteInput = z.strictObject({ id: ZStoreId });
export const ZStoreDeleteOutput = z.void();
export const deleteStoreMeta: Meta = {
  openapi: {
    method: "DELETE",
    path: "/stores/{id}",
    tags: ["stores"],
    summary: "Delete a store",
    description: "Role manager. Refused with STORE_NOT_EMPTY while the store holds stock.",
  },
  errors: ["NOT_FOUND", "STORE_NOT_EMPTY"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)",
    NOT_FOUND: "Store store1 not found",
  },
  successStatus: 204,
};
