import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "products", description: "The product catalogue" },
  {
    list: () => import("./list.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    create: () => import("./create.ts").then((m) => m.default),
    update: () => import("./update.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
    import: () => import("./import.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
  },
);
