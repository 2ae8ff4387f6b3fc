import { defineGroup } from "../../lib/command";

export default defineGroup(
  {
    name: "shipments",
    description:
      "Stock on its way between stores: create, ship, receive (from --line or a dock's CSV), cancel, close, list, show",
  },
  {
    create: () => import("./create.ts").then((m) => m.default),
    ship: () => import("./ship.ts").then((m) => m.default),
    receive: () => import("./receive.ts").then((m) => m.default),
    cancel: () => import("./cancel.ts").then((m) => m.default),
    close: () => import("./close.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
  },
);
