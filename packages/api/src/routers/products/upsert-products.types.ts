import { z } from "zod";
import type { Meta } from "../../operation";
import type { TProductCreateInput } from "./product.types";

/** Rows are validated one by one in the service, so one bad row can be skipped. */
const ZUpsertItem = z
  .custom<TProductCreateInput>(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "Each item must be an object with the fields of a product create",
  )
  .meta({
    description: "The fields of a product create: sku, name, description?, category, price",
    override: {
      type: "object",
      required: ["sku", "name", "category", "price"],
      properties: {
        sku: { type: "string" },
        name: { type: "string" },
        description: { type: ["string", "null"] },
        category: { type: "string" },
        price: { type: "number" },
      },
    },
  });

export const ZProductUpsertManyInput = z
  .strictObject({
    items: z.array(ZUpsertItem).min(1, "Send at least one item").max(1000, "Send at most 1000 items"),
    onError: z.enum(["rejectAll", "skipFailed"]).default("rejectAll"),
  })
  .meta({
    example: {
      items: [
        { sku: "HAM-16", name: "Claw hammer 16 oz", category: "tools", price: 18.99 },
        { sku: "NAIL-50", name: "Nails 50 mm, 1 kg", description: null, category: "fasteners", price: 6.5 },
      ],
      onError: "skipFailed",
    },
  });

export const ZProductUpsertManyOutput = z.object({
  created: z.number().int().meta({ example: 2 }),
  updated: z.number().int().meta({ example: 1 }),
  failed: z.array(
    z.object({
      index: z.number().int().meta({ example: 3 }),
      sku: z.string().nullable().meta({ example: "HAM-16" }),
      code: z.enum(["VALIDATION_FAILED", "SKU_TAKEN"]),
      detail: z.string().meta({ example: "price: Must have at most two decimals" }),
    }),
  ),
});

export const upsertProductsMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/products/batch",
    tags: ["products"],
    summary: "Create or update many products by sku",
    description:
      "Role manager. Upsert by sku (case-insensitive) in one statement. With `rejectAll` one bad row writes nothing; with `skipFailed` good rows are written and bad ones listed in `failed`.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "items: Send at most 1000 items" },
};
