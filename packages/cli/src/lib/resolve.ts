/**
 * Product arguments accept an id or a sku.
 *
 *   resolveProduct(client, "HAM-16")   → the product (by sku, case-insensitively)
 *   resolveProduct(client, "<uuid>")   → the product (by id; falls back to sku)
 *   resolveProductId(client, arg)      → just its id
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
