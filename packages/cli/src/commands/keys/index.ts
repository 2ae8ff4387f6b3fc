import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "keys", description: "API keys (admin)" },
  {
    list: () => import("./list.ts").then((m) => m.default),
    create: () => import("./create.ts").then((m) => m.default),
    revoke: () => import("./revoke.ts").then((m) => m.default),
  },
);
