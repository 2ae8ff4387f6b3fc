import type { RouterOutputs } from "@stockroom/sdk";
import type { Column } from "../../lib/output";

export type Product = RouterOutputs["products"]["get"];

export const formatPrice = (price: number) => price.toFixed(2);

export const productColumns: Column<Product>[] = [
  { header: "sku", value: (p) => p.sku },
  { header: "name", value: (p) => p.name },
  { header: "category", value: (p) => p.category },
  { header: "price", value: (p) => formatPrice(p.price), align: "right" },
  { header: "stock", value: (p) => p.totalQuantity, align: "right" },
  { header: "id", value: (p) => p.id },
];

export const productFields = [
  "id",
  "sku",
  "name",
  "description",
  "category",
  "price",
  "totalQuantity",
  "createdAt",
  "updatedAt",
] as const;

export function showProduct(
  out: { record(o: Record<string, unknown>, f?: readonly string[]): void },
  p: Product,
) {
  out.record({ ...p, price: formatPrice(p.price) }, productFields);
}
