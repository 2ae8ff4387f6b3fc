import { z } from "zod";
import type { Meta } from "../../operation";
import { ZOffsetPage, ZPaging, ZStoreId, zText } from "../../schemas/common";
import { LEVEL_EXAMPLE, ZStockLevel } from "./level.types";

export const ZAlertsInput = z
  .strictObject({
    storeId: ZStoreId.optional(),
    category: zText(0, 100).meta({ example: "tools" }).optional(),
    ...ZPaging,
  })
  .default({ limit: 20, offset: 0 });
export const ZAlert = ZStockLevel.extend({
  shortfall: z.number().int().meta({ description: "minStock - quantity" }),
}).meta({
  id: "Alert",
  example: { ...LEVEL_EXAMPLE, quantity: 4, belowMin: true, shortfall: 6 },
});
export const ZAlertsOutput = ZOffsetPage(ZAlert);
export const listAlertsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/inventory/alerts",
    tags: ["inventory"],
    summary: "Low-stock alerts",
    description: "Levels with quantity < minStock, biggest shortfall first. No alerts is an empty list.",
  },
  errors: [],
  errorExamples: {
    VALIDATION_FAILED: "storeId: Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)",
  },
};
