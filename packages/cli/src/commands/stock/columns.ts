import type { RouterOutputs } from "@stockroom/sdk";
import type { Colors, Column } from "../../lib/output";

export type Level = RouterOutputs["inventory"]["setLevel"];

export const levelColumns = (c?: Colors): Column<Level>[] => [
  { header: "sku", value: (l) => l.sku },
  { header: "name", value: (l) => l.name },
  { header: "store", value: (l) => l.storeId },
  { header: "qty", value: (l) => l.quantity, align: "right" },
  { header: "reserved", value: (l) => l.reserved, align: "right" },
  { header: "avail", value: (l) => l.available, align: "right" },
  { header: "incoming", value: (l) => l.incoming, align: "right" },
  { header: "min", value: (l) => l.minStock, align: "right" },
  { header: "low", value: (l) => (l.belowMin ? (c ? c.red("LOW") : "LOW") : "") },
];

export const levelFields = [
  "storeId",
  "sku",
  "name",
  "quantity",
  "reserved",
  "available",
  "incoming",
  "minStock",
  "belowMin",
  "productId",
  "updatedAt",
] as const;
