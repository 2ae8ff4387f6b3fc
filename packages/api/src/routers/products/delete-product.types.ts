import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";

export const ZProductDeleteInput = z.strictObject({ id: ZUuid });
export const ZProductDeleteOutput = z.void();

export const deleteProductMeta: Meta = {
  openapi: {
    method: "DELETE",
    path: "/products/{id}",
    tags: ["products"],
    summary: "Delete a product",
    description:
      "Role manager. Soft delete: the product answers 404 afterwards, its ledger stays, its sku is free again.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  },
  successStatus: 204,
};
