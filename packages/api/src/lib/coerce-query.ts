import type { z } from "zod";

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
};
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/nullable wrappers to the schema that decides the value's type. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let cur = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(cur);
    if (def.innerType) cur = def.innerType;
    else if (def.type === "pipe" && def.in) cur = def.in;
    else break;
  }
  return cur;
}

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Turns query-string text into the types the input schema expects, without touching the
 * schema (trpc-to-openapi's own coercion mutates shared schemas, which would make the
 * tRPC endpoint accept strings for numbers too). Text that is not a clean number or
 * boolean stays text, so zod reports it with a clear message.
 */
export function coerceQuery(schema: z.ZodType, query: Record<string, string[]>): Record<string, unknown> {
  const object = unwrapSchema(schema);
  const shape = defOf(object).shape ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(query)) {
    // Own keys only: a query named toString or __proto__ must not find Object.prototype.
    const field = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const type = field ? defOf(unwrapSchema(field)).type : "unknown";
    const convert = (v: string): unknown => {
      if (type === "number" && NUMERIC.test(v.trim())) return Number(v);
      if (type === "boolean" && (v === "true" || v === "false")) return v === "true";
      return v;
    };
    if (type === "array") out[key] = values.map(convert);
    else out[key] = values.length === 1 ? convert(values[0]!) : values.map(convert);
  }
  return out;
}
