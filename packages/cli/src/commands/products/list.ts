import type { RouterInputs } from "@stockroom/sdk";
import { pagingArgs, pagingFrom, parseIntArg, parseNumberArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { productColumns } from "./columns";

type Sort = NonNullable<RouterInputs["products"]["list"]>["sort"];
const SORTS = [
  "name",
  "-name",
  "price",
  "-price",
  "sku",
  "-sku",
  "createdAt",
  "-createdAt",
] as const satisfies readonly Sort[];

export default defineApiCommand({
  meta: { name: "list", description: "List products, with filters and paging" },
  args: {
    category: { type: "string", description: "Only this category (exact)", valueHint: "name" },
    q: {
      type: "string",
      description: "Name or sku contains this text (case-insensitive)",
      valueHint: "text",
    },
    "price-min": { type: "string", description: "Lowest price", valueHint: "n" },
    "price-max": { type: "string", description: "Highest price", valueHint: "n" },
    "stock-min": { type: "string", description: "Least total stock across stores", valueHint: "n" },
    sort: { type: "string", description: `Order: ${SORTS.join(", ")}`, valueHint: "field" },
    "exact-total": {
      type: "boolean",
      description: "Count every match (by default a filtered total stops at 1000 past the offset)",
    },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    const sort = args.sort as Sort | undefined;
    if (sort !== undefined && !SORTS.includes(sort as (typeof SORTS)[number]))
      throw new UsageError(`--sort must be one of ${SORTS.join(", ")}, got '${sort}'`);
    const page = await client.products.list({
      category: args.category,
      q: args.q,
      priceMin: parseNumberArg(args["price-min"], "--price-min", { min: 0 }),
      priceMax: parseNumberArg(args["price-max"], "--price-max", { min: 0 }),
      stockMin: parseIntArg(args["stock-min"], "--stock-min", { min: 0 }),
      sort,
      ...(args["exact-total"] ? { exactTotal: true } : {}),
      ...pagingFrom(args),
    });
    out.result(page, () => {
      out.table(page.items, productColumns);
      footer(out, page);
    });
  },
});

export function footer(
  out: { note(s: string): void },
  page: { items: unknown[]; total: number; totalExact?: boolean; limit: number; offset: number },
) {
  if (page.items.length === 0) return;
  const last = page.offset + page.items.length;
  const more = last < page.total ? ` · next page: --offset ${last}` : "";
  // A lower bound (products filtered by more than a category): "at least".
  const of = page.totalExact === false ? `at least ${page.total}` : `${page.total}`;
  out.note(`${page.offset + 1}–${last} of ${of}${more}`);
}
