import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { ZProduct } from "./product.types";

export const ZProductGetInput = z.strictObject({ id: ZUuid });
export const ZProductGetOutput = ZProduct;

export const getProductMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/products/{id}",
    tags: ["products"],
    summary: "Get a product",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  },
};
