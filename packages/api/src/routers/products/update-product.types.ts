import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { productFields, ZProduct } from "./product.types";

export const ZProductUpdateInput = z
  .strictObject({
    id: ZUuid,
    sku: productFields.sku.optional(),
    name: productFields.name.optional(),
    description: productFields.description,
    category: productFields.category.optional(),
    price: productFields.price.optional(),
  })
  .meta({ example: { id: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10", price: 17.49 } });
export const ZProductUpdateOutput = ZProduct;

export const updateProductMeta: Meta = {
  openapi: {
    method: "PUT",
    path: "/products/{id}",
    tags: ["products"],
    summary: "Update a product",
    description: "Role manager. Any subset of the create fields; omitted fields keep their value.",
  },
  errors: ["NOT_FOUND", "SKU_TAKEN"],
  errorExamples: {
    VALIDATION_FAILED: "price: Must have at most two decimals",
    NOT_FOUND: "Product 0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10 not found",
  },
};
