import { defineGroup } from "../../lib/command";

export default defineGroup(
  {
    name: "reservations",
    description: "Hold stock for a cart or an order: create, list, show, commit, release, extend",
  },
  {
    create: () => import("./create.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    commit: () => import("./commit.ts").then((m) => m.default),
    release: () => import("./release.ts").then((m) => m.default),
    extend: () => import("./extend.ts").then((m) => m.default),
  },
);
