import { z } from "zod";
import { ZMoney, ZTimestamp, ZUuid, zText } from "../../schemas/common";

export const ZSku = z
  .string()
  .min(1, "Must not be empty")
  .max(64, "Must be at most 64 characters")
  .regex(/^[A-Za-z0-9._/-]+$/, "Must use only letters, digits and . _ / -")
  .meta({ example: "HAM-16" });

export const ZProduct = z
  .object({
    id: ZUuid,
    sku: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    category: z.string(),
    price: z.number(),
    totalQuantity: z.number().int(),
    createdAt: ZTimestamp,
    updatedAt: ZTimestamp,
  })
  .meta({
    id: "Product",
    example: {
      id: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10",
      sku: "HAM-16",
      name: "Claw hammer 16 oz",
      description: "Fibreglass handle",
      category: "tools",
      price: 18.99,
      totalQuantity: 240,
      createdAt: "2026-01-05T10:00:00.000Z",
      updatedAt: "2026-01-05T10:00:00.000Z",
    },
  });

export const productFields = {
  sku: ZSku,
  name: zText(1, 255),
  description: zText(0, 5000).nullable().optional(),
  category: zText(1, 100),
  price: ZMoney,
};

export const ZProductCreateInput = z.strictObject(productFields).meta({
  example: {
    sku: "HAM-16",
    name: "Claw hammer 16 oz",
    description: "Fibreglass handle",
    category: "tools",
    price: 18.99,
  },
});

export type TProduct = z.infer<typeof ZProduct>;
export type TProductCreateInput = z.infer<typeof ZProductCreateInput>;
