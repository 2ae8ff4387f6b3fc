import { z } from "zod";

// Control characters (NUL above all) are refused in every text field: PostgreSQL cannot
// store NUL in text, and nobody means to put a bell character in a product name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point of the check
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** The same set, as the JSON Schema pattern of a string free of them. */
const CONTROL_CHARS_FREE = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$";

export const zText = (min: number, max: number) =>
  z
    .string()
    .min(min, min === 1 ? "Must not be empty" : `Must be at least ${min} characters`)
    .max(max, `Must be at most ${max} characters`)
    .refine((s) => !CONTROL_CHARS.test(s), "Must not contain control characters")
    // The refine above is invisible to JSON Schema; the same rule as a pattern.
    .meta({ pattern: CONTROL_CHARS_FREE });

export const ZUuid = z
  .uuid({ message: "Must be a UUID" })
  .meta({ example: "0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10" });
export const ZStoreId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, "Must match ^[a-z0-9][a-z0-9_-]{0,39}$ (lowercase slug, max 40)")
  .meta({ example: "store1" });
export const ZTimestamp = z.iso.datetime({ offset: true }).meta({ example: "2026-01-05T10:00:00.000Z" });

export const ZMoney = z
  .number()
  .min(0, "Must be at least 0")
  .max(99999999.99, "Must be at most 99999999.99")
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, "Must have at most two decimals")
  // The refine above is invisible to JSON Schema (and z.multipleOf would check differently).
  .meta({ multipleOf: 0.01, example: 18.99 });

export const ZQuantity = z.number().int("Must be an integer");

export const ZPaging = {
  limit: z.number().int().min(1).max(100).default(20),
  offset: z.number().int().min(0).max(1_000_000_000).default(0),
};

export const ZOffsetPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int().meta({ example: 1 }),
    limit: z.number().int().meta({ example: 20 }),
    offset: z.number().int().meta({ example: 0 }),
  });

export const ZCursorPage = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "null on the last page", example: null }),
  });
