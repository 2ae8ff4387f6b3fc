import type { Meta } from "../../operation";
import { AUTH_ERRORS } from "../../schemas/common";
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
    errorResponses: [...AUTH_ERRORS, 409, 422],
  },
  successStatus: 201,
};
