/**
 * Product arguments accept an id or a sku.
 *
 *   resolveProduct(client, "HAM-16")   → the product (by sku, case-insensitively)
 *   resolveProduct(client, "<uuid>")   → the product (by id; falls back to sku)
 *   resolveProductId(client, arg)      → just its id
 *   resolveProductIds(client, args)    → ids for many arguments, each distinct one looked up once
 *   skusById(client, ids)              → Map id → sku of the products that can be read
 * Throws the API's NOT_FOUND as a StockroomError-like CliFailure when nothing matches.
 */
import { isStockroomError, type RouterOutputs, type StockroomClient } from "@stockroom/sdk";
import { CliFailure } from "./exit";

export type Product = RouterOutputs["products"]["get"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function resolveProduct(client: StockroomClient, arg: string): Promise<Product> {
  if (UUID.test(arg)) {
    try {
      return await client.products.get({ id: arg });
    } catch (err) {
      if (!(isStockroomError(err) && err.code === "NOT_FOUND")) throw err;
    }
  }
  const wanted = arg.toLowerCase();
  // `q` matches sku substrings, so the exact sku is somewhere in these pages.
  let cursor: string | undefined;
  do {
    const page = await client.products.list({ q: arg, sort: "sku", limit: 100, cursor });
    const hit = page.items.find((p) => p.sku.toLowerCase() === wanted);
    if (hit) return hit;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliFailure(
    "NOT_FOUND",
    `Product ${arg} not found (looked up by ${UUID.test(arg) ? "id and sku" : "sku"})`,
    {
      hint: "Check the id or sku; `stockroom products list --q <text>` searches names and skus.",
    },
  );
}

export async function resolveProductId(client: StockroomClient, arg: string): Promise<string> {
  return UUID.test(arg) ? arg : (await resolveProduct(client, arg)).id;
}

/**
 * Many product arguments at once, each resolved once: the same sku twice is one lookup.
 * Answers the id for each argument, in order.
 */
export async function resolveProductIds(client: StockroomClient, args: readonly string[]): Promise<string[]> {
  const distinct = [...new Set(args)];
  const ids = await Promise.all(distinct.map((arg) => resolveProductId(client, arg)));
  const byArg = new Map(distinct.map((arg, i) => [arg, ids[i]!]));
  return args.map((arg) => byArg.get(arg)!);
}

/**
 * The skus of these product ids, for people to read; a product that cannot be read (deleted
 * since, say) is left out and shown by its id. The reads of one call travel in one batched request.
 */
export async function skusById(
  client: StockroomClient,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const distinct = [...new Set(ids)];
  const found = await Promise.allSettled(distinct.map((id) => client.products.get({ id })));
  const skus = new Map<string, string>();
  found.forEach((r, i) => {
    if (r.status === "fulfilled") skus.set(distinct[i]!, r.value.sku);
    else if (!(isStockroomError(r.reason) && r.reason.code === "NOT_FOUND")) throw r.reason;
  });
  return skus;
}
