import { z } from "zod";
import { ZKeysetPage, ZKeysetPaging } from "../../lib/keyset";
import type { Meta } from "../../operation";
import { ZStoreId, zText } from "../../schemas/common";
import { LEVEL_EXAMPLE, ZStockLevel } from "./level.types";

export const ZAlertsInput = z
  .strictObject({
    storeId: ZStoreId.optional(),
    category: zText(0, 100).meta({ example: "tools" }).optional(),
    ...ZKeysetPaging,
  })
  .default({ limit: 20, offset: 0 });
export const ZAlert = ZStockLevel.extend({
  shortfall: z.number().int().meta({ description: "minStock - available" }),
}).meta({
  id: "Alert",
  example: { ...LEVEL_EXAMPLE, quantity: 4, belowMin: true, shortfall: 6 },
});
export const ZAlertsOutput = ZKeysetPage(ZAlert);
export const listAlertsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/inventory/alerts",
    tags: ["inventory"],
    summary: "Low-stock alerts",
    description:
      "Levels whose available units (quantity − reserved) are under minStock, biggest shortfall first (then store, sku, product id). No alerts is an empty list. Page with `offset` (at most 10000) or with `cursor`: pass each page's `nextCursor` with the same filters.",
  },
  errors: [],
  errorExamples: {
    VALIDATION_FAILED: "storeId: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)",
  },
};
