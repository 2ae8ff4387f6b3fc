import type { Meta } from "../../operation";
import { ZProduct, ZProductCreateInput } from "./product.types";

export { ZProductCreateInput };
export const ZProductCreateOutput = ZProduct;

export const createProductMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/products",
    tags: ["products"],
    summary: "Create a product",
    description: "Role manager. `sku` must be unique among live products, case-insensitively.",
  },
  errors: ["SKU_TAKEN"],
  errorExamples: { VALIDATION_FAILED: "price: Must have at most two decimals" },
  successStatus: 201,
};
