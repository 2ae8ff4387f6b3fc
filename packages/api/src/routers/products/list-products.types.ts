import { z } from "zod";
import { TOTAL_BOUND, ZKeysetPage, ZKeysetPaging } from "../../lib/keyset";
import type { Meta } from "../../operation";
import { zText } from "../../schemas/common";
import { ZProduct } from "./product.types";

export const ZProductListInput = z
  .strictObject({
    category: zText(0, 100).meta({ example: "tools" }).optional(),
    priceMin: z.number().min(0).max(99999999.99).meta({ example: 5 }).optional(),
    priceMax: z.number().min(0).max(99999999.99).meta({ example: 50 }).optional(),
    stockMin: z.number().int().min(0).max(2_147_483_647).meta({ example: 1 }).optional(),
    q: zText(0, 255).meta({ example: "hammer" }).optional(),
    sort: z.enum(["name", "-name", "price", "-price", "sku", "-sku", "createdAt", "-createdAt"]).optional(),
    exactTotal: z
      .boolean()
      .meta({
        description: `Count every match for \`total\`, however many. Without it, filters other than \`category\` are counted up to ${TOTAL_BOUND} matches past \`offset\`, and past that \`total\` is a lower bound (\`totalExact: false\`). Counting all costs time in proportion to the matches.`,
        example: true,
      })
      .optional(),
    ...ZKeysetPaging,
  })
  // No input at all means no filters, as for the other lists.
  .default({ limit: 20, offset: 0 });
export const ZProductListOutput = ZKeysetPage(ZProduct);

export const listProductsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/products",
    tags: ["products"],
    summary: "List products",
    description: `Live products with filters. Default order: createdAt, then id (every sort ends with id). \`q\` matches name or sku, case-insensitively. Page with \`offset\` (at most 10000) or, to any depth at the same cost, with \`cursor\`: pass each page's \`nextCursor\` with the same filters and sort. \`total\` is exact for no filter or \`category\` alone (kept counts); other filters count up to ${TOTAL_BOUND} matches past \`offset\` and then answer a lower bound with \`totalExact: false\`, unless \`exactTotal=true\`.`,
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "priceMin: Too small: expected number to be >=0" },
};

export type TProductListInput = z.input<typeof ZProductListInput>;
export type TProductListOutput = z.infer<typeof ZProductListOutput>;
