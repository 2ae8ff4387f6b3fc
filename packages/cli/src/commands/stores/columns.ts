import type { RouterOutputs } from "@stockroom/sdk";
import type { Column } from "../../lib/output";

export type Store = RouterOutputs["stores"]["get"];

export const storeColumns: Column<Store>[] = [
  { header: "id", value: (s) => s.id },
  { header: "name", value: (s) => s.name },
  { header: "created", value: (s) => s.createdAt },
];

export const storeFields = ["id", "name", "createdAt", "updatedAt"] as const;
