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
};
