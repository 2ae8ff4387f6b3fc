import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "stores", description: "Stores (and warehouses)" },
  {
    list: () => import("./list.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    create: () => import("./create.ts").then((m) => m.default),
    update: () => import("./update.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
  },
);
