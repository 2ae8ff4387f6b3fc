import { z } from "zod";
import { ZKeysetPage, ZKeysetPaging } from "../../lib/keyset";
import type { Meta } from "../../operation";
import { ZStoreId, zText } from "../../schemas/common";
import { ZStockLevel } from "./level.types";

export const ZStoreInventoryInput = z.strictObject({
  storeId: ZStoreId,
  belowMin: z.boolean().optional(),
  category: zText(0, 100).meta({ example: "tools" }).optional(),
  q: zText(0, 255).meta({ example: "hammer" }).optional(),
  ...ZKeysetPaging,
});
export const ZStoreInventoryOutput = ZKeysetPage(ZStockLevel);
export const listStoreInventoryMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/stores/{storeId}/inventory",
    tags: ["inventory"],
    summary: "Stock levels of one store",
    description:
      "Ordered by sku, then product id. `belowMin=true` lists only levels under their minimum. Unknown store → 404. Page with `offset` (at most 10000) or with `cursor`: pass each page's `nextCursor` with the same filters.",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "storeId: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)",
    NOT_FOUND: "Store store1 not found",
  },
};
