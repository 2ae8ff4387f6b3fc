import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "stock", description: "Stock levels: show, count, adjust, transfer" },
  {
    show: () => import("./show.ts").then((m) => m.default),
    set: () => import("./set.ts").then((m) => m.default),
    adjust: () => import("./adjust.ts").then((m) => m.default),
    transfer: () => import("./transfer.ts").then((m) => m.default),
  },
);
